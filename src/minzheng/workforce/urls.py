from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("staffing/", views.staffing_page, name="staffing"),
    path("report/", views.report_page, name="report"),
    path("posts/", views.posts_page, name="posts"),
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/export.xlsx", views.staff_export, name="staff_export"),
    path("posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("handovers/<int:handover_id>/", views.handover_detail, name="handover_detail"),
    path("handovers/<int:handover_id>/pdf", views.handover_pdf_view, name="handover_pdf"),
    path("training/", views.training_page, name="training"),
    path("training/sessions/<int:session_id>/", views.session_detail, name="session_detail"),
    path("training/materials/<int:material_id>/", views.material_download, name="material"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/<int:assess_year>/", views.assessment_year, name="assessment_year"),
    path("coordinators/", views.coordinators_page, name="coordinators"),
    path("coordinators/meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("needs/", views.needs_page, name="needs"),
    path("needs/mine/", views.needs_mine, name="needs_mine"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/stats/", views.needs_stats, name="needs_stats"),
    path("needs/<int:needreport_id>/", views.need_detail, name="need_detail"),
    path("needs/<int:needreport_id>/photo", views.need_photo, name="need_photo"),
    path("circulars/", views.circulars_page, name="circulars"),
    path("circulars/new/", views.circular_new, name="circular_new"),
    path("circulars/<int:circular_id>/", views.circular_detail, name="circular_detail"),
    path("circulars/<int:circular_id>/attachment", views.circular_attachment, name="circular_attachment"),
    path("receipts/<int:receipt_id>/", views.receipt_detail, name="receipt"),
    path("receipts/<int:receipt_id>/attachment", views.receipt_attachment, name="receipt_attachment"),
    path("notes/", views.notes_page, name="notes"),
    path("notes/<int:note_id>/close", views.note_close, name="note_close"),
]
