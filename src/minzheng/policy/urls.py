from django.urls import path

from . import raise_views, views

app_name = "policy"
urlpatterns = [
    path("", views.param_list, name="list"),
    path("holidays/", views.holidays, name="holidays"),
    path("p/<str:key>/", views.param_detail, name="detail"),
    path("raises/", raise_views.raise_list, name="raises"),
    path("raises/new/", raise_views.raise_new, name="raise_new"),
    path("raises/<int:raise_id>/", raise_views.raise_detail, name="raise"),
    path("raises/<int:raise_id>/approve/", raise_views.raise_approve, name="raise_approve"),
    path("raises/<int:raise_id>/cancel/", raise_views.raise_cancel, name="raise_cancel"),
]
