from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.files_page, name="files"),
    path("mine/", views.mine_page, name="mine"),
    path("new/", views.file_new, name="file_new"),
    path("derive/", views.derive_page, name="derive"),
    path("overview/", views.overview_page, name="overview"),
    path("files/<int:file_id>/", views.file_page, name="file"),
    path("files/<int:file_id>/visit/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_id>/photo", views.visit_photo, name="visit_photo"),
    path("institutions/", views.institutions_page, name="institutions"),
    path("institutions/<int:institution_id>/", views.institution_page, name="institution"),
]
