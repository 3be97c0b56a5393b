"""公示 pages, no login: only masked names, village, item and quantity (or persons) — no IDs, no phones."""

from django.urls import path

from . import public

app_name = "disaster_public"

urlpatterns = [
    path("distributions/<str:relief_notice>/", public.distribution_notice, name="distribution"),
    path("winter/<str:winter_notice>/", public.winter_notice, name="winter"),
]
