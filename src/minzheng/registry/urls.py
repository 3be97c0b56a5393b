from django.urls import path

from . import views
from .import_urls import urlpatterns as import_urlpatterns

app_name = "registry"

urlpatterns = [
    path("", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:household_id>/members/new/", views.person_add, name="person_add"),
    path("households/<int:household_id>/head/", views.household_head, name="household_head"),
    path("households/<int:household_id>/incomes/new/", views.income_add, name="income_add"),
    path("households/<int:household_id>/assets/new/", views.asset_add, name="asset_add"),
    path("incomes/<int:income_id>/end/", views.income_end, name="income_end"),
    path("assets/<int:asset_id>/dispose/", views.asset_dispose, name="asset_dispose"),
    path("persons/", views.person_search, name="persons"),
    path("persons/<int:person_id>/", views.person_detail, name="person"),
    path("persons/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:person_id>/move/", views.person_move, name="person_move"),
    path("persons/<int:person_id>/death/", views.person_death, name="person_death"),
    path("template.xlsx", views.template_download, name="template"),
    path("idcheck/", views.idcheck, name="idcheck"),
    *import_urlpatterns,
]
