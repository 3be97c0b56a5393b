from django.urls import path

from . import views

app_name = "disaster"

urlpatterns = [
    path("", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:event_id>/", views.event, name="event"),
    path("events/<int:event_id>/action/", views.event_action, name="event_action"),
    path("events/<int:event_id>/summary/", views.summary, name="summary"),
    path("events/<int:event_id>/registers/", views.registers, name="registers"),
    path("reports/<int:report_id>/", views.report, name="report"),
    path("reports/<int:report_id>/validate/", views.report_validate, name="report_validate"),
    path("rules/", views.rules_page, name="rules"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<int:warehouse_id>/", views.warehouse, name="warehouse"),
    path("allocations/", views.allocations, name="allocations"),
    path("distributions/", views.distributions, name="distributions"),
    path("distributions/<int:distribution_id>/", views.distribution, name="distribution"),
    path("distributions/<int:distribution_id>/roster.pdf", views.roster_pdf, name="roster"),
    path("distributions/<int:distribution_id>/reconciliation/", views.reconciliation, name="reconciliation"),
    path("distribution-lines/<int:distribution_line_id>/sign/", views.line_sign, name="line_sign"),
    path("winter/", views.winter_rounds, name="winter_rounds"),
    path("winter/<int:winter_round_id>/", views.winter_round, name="winter_round"),
    path("winter/cases/<int:winter_case_id>/", views.winter_case, name="winter_case"),
]
