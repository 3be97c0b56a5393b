"""公示 pages without login (mounted at /public/assistance/)."""

from django.urls import path

from . import public

app_name = "assistance_public"

urlpatterns = [
    path("", public.index, name="index"),
    path("township/<str:township_code>/", public.township, name="township"),
    path("village/<str:village_code>/", public.village, name="village"),
    path("village/<str:village_code>/standing/", public.standing, name="standing"),
    path("village/<str:village_code>/print/", public.village_print, name="village_print"),
    path("village/<str:village_code>/objection/", public.objection, name="objection"),
]
