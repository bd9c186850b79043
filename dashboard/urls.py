from django.urls import path

from dashboard import views

urlpatterns = [
    path("pools/<id:pool_id>/dashboard/", views.pool_dashboard, name="pool_dashboard"),
    path("pools/<id:pool_id>/dashboard/rebalance/", views.pool_rebalance, name="pool_rebalance"),
    path("pools/<id:pool_id>/dashboard/<slug:table>.csv", views.pool_export, name="pool_export"),
    path("organisations/<id:organisation_id>/usage/", views.organisation_usage, name="organisation_usage"),
]
