from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("", views.param_list, name="list"),
    path("holidays/", views.holidays, name="holidays"),
    path("p/<str:key>/", views.param_detail, name="detail"),
]
