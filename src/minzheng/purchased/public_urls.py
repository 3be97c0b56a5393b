from django.urls import path

from . import public_views

app_name = "purchased_public"
urlpatterns = [
    path("", public_views.contracts, name="contracts"),
    path("complaint/", public_views.complaint, name="complaint"),
    path("thanks/", public_views.thanks, name="thanks"),
]
