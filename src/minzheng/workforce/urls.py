from django.urls import path

from .views import assessment, circulars, needs, notes, overview, posts, training

app_name = "workforce"
urlpatterns = [
    path("", overview.overview_page, name="overview"),
    path("staffing/", overview.staffing_page, name="staffing"),
    path("report/", overview.report_page, name="report"),
    path("posts/", posts.posts_page, name="posts"),
    path("posts/new/", posts.post_new, name="post_new"),
    path("posts/export.xlsx", posts.staff_export, name="staff_export"),
    path("posts/<int:post_id>/", posts.post_detail, name="post_detail"),
    path("staff/<int:staff_id>/", posts.staff_detail, name="staff_detail"),
    path("handovers/<int:handover_id>/", posts.handover_detail, name="handover_detail"),
    path("handovers/<int:handover_id>/pdf", posts.handover_pdf_view, name="handover_pdf"),
    path("training/", training.training_page, name="training"),
    path("training/sessions/<int:session_id>/", training.session_detail, name="session_detail"),
    path("training/materials/<int:material_id>/", training.material_download, name="material"),
    path("assessment/", assessment.assessment_page, name="assessment"),
    path("assessment/<int:assess_year>/", assessment.assessment_year, name="assessment_year"),
    path("coordinators/", assessment.coordinators_page, name="coordinators"),
    path("coordinators/meetings/<int:meeting_id>/", assessment.meeting_detail, name="meeting_detail"),
    path("needs/", needs.needs_page, name="needs"),
    path("needs/mine/", needs.needs_mine, name="needs_mine"),
    path("needs/new/", needs.need_new, name="need_new"),
    path("needs/stats/", needs.needs_stats, name="needs_stats"),
    path("needs/<int:needreport_id>/", needs.need_detail, name="need_detail"),
    path("needs/<int:needreport_id>/photo", needs.need_photo, name="need_photo"),
    path("circulars/", circulars.circulars_page, name="circulars"),
    path("circulars/new/", circulars.circular_new, name="circular_new"),
    path("circulars/<int:circular_id>/", circulars.circular_detail, name="circular_detail"),
    path("circulars/<int:circular_id>/attachment", circulars.circular_attachment, name="circular_attachment"),
    path("receipts/<int:receipt_id>/", circulars.receipt_detail, name="receipt"),
    path("receipts/<int:receipt_id>/attachment", circulars.receipt_attachment, name="receipt_attachment"),
    path("notes/", notes.notes_page, name="notes"),
    path("notes/<int:note_id>/close", notes.note_close, name="note_close"),
]
