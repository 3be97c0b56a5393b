from django.urls import path

from . import public_views

app_name = "workforce_public"
urlpatterns = [
    path("", public_views.report_form, name="report"),
    path("thanks/", public_views.thanks, name="thanks"),
]
