from django.urls import path

from .views import distributions, events, registers, reports, stock, winter

app_name = "disaster"

urlpatterns = [
    path("", events.events, name="events"),
    path("events/new/", events.event_new, name="event_new"),
    path("events/<int:event_id>/", events.event, name="event"),
    path("events/<int:event_id>/action/", events.event_action, name="event_action"),
    path("events/<int:event_id>/summary/", events.summary, name="summary"),
    path("events/<int:event_id>/registers/", registers.registers, name="registers"),
    path("reports/<int:report_id>/", reports.report, name="report"),
    path("reports/<int:report_id>/validate/", reports.report_validate, name="report_validate"),
    path("rules/", reports.rules_page, name="rules"),
    path("warehouses/", stock.warehouses, name="warehouses"),
    path("warehouses/<int:warehouse_id>/", stock.warehouse, name="warehouse"),
    path("allocations/", stock.allocations, name="allocations"),
    path("distributions/", distributions.distributions, name="distributions"),
    path("distributions/<int:distribution_id>/", distributions.distribution, name="distribution"),
    path("distributions/<int:distribution_id>/roster.pdf", distributions.roster_pdf, name="roster"),
    path("distributions/<int:distribution_id>/reconciliation/", distributions.reconciliation, name="reconciliation"),
    path("distribution-lines/<int:distribution_line_id>/sign/", distributions.line_sign, name="line_sign"),
    path("winter/", winter.winter_rounds, name="winter_rounds"),
    path("winter/<int:winter_round_id>/", winter.winter_round, name="winter_round"),
    path("winter/cases/<int:winter_case_id>/", winter.winter_case, name="winter_case"),
]
