from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("divisions/", views.division_tree, name="divisions"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("settings/", views.site_settings, name="settings"),
    path("healthz", views.healthz, name="healthz"),
]
