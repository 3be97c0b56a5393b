from django.urls import path

from . import views

app_name = "crosscheck"
urlpatterns = [
    path("", views.findings, name="findings"),
    path("f/<int:finding_id>/", views.finding_detail, name="finding"),
    path("summary/", views.summary, name="summary"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("datasets/", views.datasets, name="datasets"),
    path("rules/", views.rule_list, name="rules"),
]
