from django.urls import path

from webhooks import views

urlpatterns = [
    path("pools/<id:pool_id>/", views.pool_endpoints, name="webhook_pool_endpoints"),
    path("pools/<id:pool_id>/new/", views.pool_endpoint_add, name="webhook_pool_endpoint_add"),
    path("organisations/<id:organisation_id>/", views.organisation_endpoints, name="webhook_organisation_endpoints"),
    path(
        "organisations/<id:organisation_id>/new/",
        views.organisation_endpoint_add,
        name="webhook_organisation_endpoint_add",
    ),
    path("endpoints/<id:endpoint_id>/", views.endpoint_detail, name="webhook_endpoint"),
    path("endpoints/<id:endpoint_id>/new-secret/", views.endpoint_rotate, name="webhook_endpoint_rotate"),
    path("endpoints/<id:endpoint_id>/on-off/", views.endpoint_toggle, name="webhook_endpoint_toggle"),
    path("endpoints/<id:endpoint_id>/delete/", views.endpoint_delete, name="webhook_endpoint_delete"),
    path(
        "endpoints/<id:endpoint_id>/deliveries/<id:delivery_id>/send-again/",
        views.delivery_resend,
        name="webhook_delivery_resend",
    ),
]
