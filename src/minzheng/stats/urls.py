from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.index, name="index"),
    path("return.xlsx", views.return_xlsx, name="return_xlsx"),
    path("return.pdf", views.return_pdf, name="return_pdf"),
    path("close/", views.close, name="close"),
    path("dibao/", views.dibao, name="dibao"),
    path("dibao.xlsx", views.dibao_xlsx, name="dibao_xlsx"),
    path("dibao.pdf", views.dibao_pdf, name="dibao_pdf"),
    path("figure/", views.figure, name="figure"),
    path("trends/", views.trends_page, name="trends"),
    path("flags/", views.flags, name="flags"),
    path("flags/detect/", views.detect, name="detect"),
    path("flags/<int:risk_flag_id>/", views.flag_detail, name="flag"),
    path("flags/<int:risk_flag_id>/sample/", views.flag_sample, name="flag_sample"),
    path("samples/<int:risk_sample_id>/", views.sample_detail, name="sample"),
    path("samples/items/<int:sample_item_id>/visit/", views.sample_visit, name="sample_visit"),
    path("indicators/", views.indicators, name="indicators"),
    path("boundary/", views.boundary, name="boundary"),
]
