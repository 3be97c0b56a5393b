from django.urls import path

from . import fix_views, fund_views, views

app_name = "payments"
urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("approvals/", views.approvals, name="approvals"),
    path("summary.xlsx", views.summary_xlsx, name="summary_xlsx"),
    path("funds/", views.funds_page, name="funds"),
    path("funds/work/", views.work_funds, name="work_funds"),
    path("allowances/", views.allowances_page, name="allowances"),
    path("allowances/refresh/", views.allowances_refresh, name="allowances_refresh"),
    path("payroll/<int:payroll_id>/", views.payroll_detail, name="payroll"),
    path("payroll/<int:payroll_id>/prepare/", views.prepare, name="prepare"),
    path("payroll/<int:payroll_id>/approve/", views.approve, name="approve"),
    path("payroll/<int:payroll_id>/send-back/", views.send_back, name="send_back"),
    path("payroll/<int:payroll_id>/regenerate/", views.regenerate, name="regenerate"),
    path("payroll/<int:payroll_id>/roster.xlsx", views.roster_xlsx, name="roster_xlsx"),
    path("payroll/<int:payroll_id>/roster.pdf", views.roster_pdf, name="roster_pdf"),
    path("payroll/<int:payroll_id>/bankfile/", views.bankfile, name="bankfile"),
    path("payroll/<int:payroll_id>/bank-return/", views.bank_return, name="bank_return"),
    path("payroll/<int:payroll_id>/hold/", fix_views.hold, name="hold"),
    path("payroll/<int:payroll_id>/hold-blocked/", fix_views.hold_blocked, name="hold_blocked"),
    path("payroll/<int:payroll_id>/supplement/", fix_views.supplement, name="supplement"),
    path("line/<int:payline_id>/", views.line_detail, name="line"),
    path("line/<int:payline_id>/release/", fix_views.release, name="release"),
    path("payee/<int:person_id>/", fix_views.payee, name="payee"),
    path("funds/spending/", fund_views.spending_page, name="spending"),
    path("funds/spending/<int:entry_id>/voucher", fund_views.voucher, name="voucher"),
    path("funds/report/", fund_views.report_page, name="fund_report"),
    path("funds/report.xlsx", fund_views.report_xlsx, name="fund_report_xlsx"),
    path("funds/report.pdf", fund_views.report_pdf, name="fund_report_pdf"),
]
