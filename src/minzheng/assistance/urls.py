from django.urls import path

from . import edge_views, views
from . import verification_views as ledger

app_name = "assistance"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.intake, name="new"),
    path("cases/<int:application_id>/", views.detail, name="detail"),
    path("cases/<int:application_id>/assess/", views.assess, name="assess"),
    path("cases/<int:application_id>/act/", views.act, name="act"),
    path("cases/<int:application_id>/checks/", views.add_check, name="add_check"),
    path("cases/<int:application_id>/form/", views.form_pdf, name="form_pdf"),
    path("cases/<int:application_id>/survey/", views.survey_pdf, name="survey_pdf"),
    path("cases/<int:application_id>/refusal/", views.refusal_pdf, name="refusal_pdf"),
    path("publicity/", views.publicities, name="publicities"),
    path("publicity/<int:publicity_id>/print/", views.publicity_print, name="publicity_print"),
    path("objections/<int:objection_id>/", views.objection, name="objection"),
    path("kinship/", views.kinship, name="kinship"),
    path("kinship/report/", views.kinship_report, name="kinship_report"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:review_schedule_id>/", views.review, name="review"),
    path("cases/<int:application_id>/supporters/", edge_views.supporters, name="supporters"),
    path("edge/", edge_views.edge_register, name="edge_register"),
    path("edge/export/", edge_views.edge_export, name="edge_export"),
    path("ledger-checks/", ledger.ledger_checks, name="ledger_checks"),
    path("ledger-checks/compute/", ledger.ledger_compute, name="ledger_compute"),
    path("ledger-checks/confirm/", ledger.ledger_confirm, name="ledger_confirm"),
    path("ledger-checks/carry-over/", ledger.ledger_carry_over, name="ledger_carry_over"),
    path("ledger-checks/<int:ledger_check_id>/decide/", ledger.ledger_decide, name="ledger_decide"),
]
