from django.urls import path

from . import views

app_name = "fieldapp"
urlpatterns = [
    path("", views.shell, name="shell"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("app.css", views.asset, {"name": "app_css"}, name="app_css"),
    path("idb.js", views.asset, {"name": "idb_js"}, name="idb_js"),
    path("store.js", views.asset, {"name": "store_js"}, name="store_js"),
    path("app.js", views.asset, {"name": "app_js"}, name="app_js"),
    path("rules.js", views.asset, {"name": "rules_js"}, name="rules_js"),
    path("icon.svg", views.asset, {"name": "icon_svg"}, name="icon_svg"),
    path("devices/", views.device_list, name="devices"),
    path("devices/revoke-user", views.user_revoke, name="user_revoke"),
    path("devices/<int:device_id>/revoke", views.device_revoke, name="device_revoke"),
]
