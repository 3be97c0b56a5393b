from django.urls import path

from .views import contracts, delivery, supervision

app_name = "purchased"
urlpatterns = [
    path("", contracts.contracts_page, name="contracts"),
    path("contracts/new/", contracts.contract_new, name="contract_new"),
    path("contracts/<int:contract_id>/", contracts.contract_detail, name="contract"),
    path("contracts/<int:contract_id>/assign/", contracts.assign_page, name="assign"),
    path("milestones/<int:milestone_id>/", contracts.milestone_action, name="milestone"),
    path("providers/", contracts.providers_page, name="providers"),
    path("providers/<int:provider_id>/", contracts.provider_detail, name="provider"),
    path("mine/", delivery.mine, name="mine"),
    path("orders/<int:order_id>/", delivery.order_detail, name="order"),
    path("orders/<int:order_id>/card/", delivery.service_card, name="card"),
    path("orders/<int:order_id>/record/", delivery.record_new, name="record_new"),
    path("records/<int:record_id>/", delivery.record_detail, name="record"),
    path("records/<int:record_id>/photo", delivery.record_photo, name="record_photo"),
    path("flags/<int:flag_id>/", delivery.flag_settle, name="flag"),
    path("supervision/", supervision.supervision_page, name="supervision"),
    path("evaluations/", supervision.evaluations_page, name="evaluations"),
    path("callbacks/", supervision.callbacks_page, name="callbacks"),
    path("callbacks/<int:sample_id>/", supervision.sample_detail, name="sample"),
]
