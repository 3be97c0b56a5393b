"""Ledger import routes, appended to the registry URLs (names registry:import_*)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/<str:importjob_id>/", import_views.import_job, name="import_job"),
    path("import/<str:importjob_id>/commit/", import_views.import_job_commit, name="import_job_commit"),
    path("import/<str:importjob_id>/errors.xlsx", import_views.import_job_errors, name="import_job_errors"),
]
