from django.urls import path

from . import views

app_name = "fieldapp"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("devices/", views.device_list, name="devices"),
    path("devices/revoke-user", views.user_revoke, name="user_revoke"),
    path("devices/<int:device_id>/revoke", views.device_revoke, name="device_revoke"),
]
