from django.urls import path

from . import views
from .worker import views as worker_views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("divisions/", views.division_tree, name="divisions"),
    path("tasks/", views.my_tasks, name="tasks"),
    path("jobs/", worker_views.job_list, name="jobs"),
    path("jobs/<int:job_id>/", worker_views.job_detail, name="job"),
    path("exports/<int:export_id>/", worker_views.export_download, name="export_download"),
    path("settings/", views.site_settings, name="settings"),
    path("healthz", views.healthz, name="healthz"),
]
