from django.urls import path

from dashboard import views

urlpatterns = [
    path("pools/<id:pool_id>/dashboard/", views.pool_dashboard, name="pool_dashboard"),
    path("pools/<id:pool_id>/dashboard/reach/", views.pool_reach, name="pool_dashboard_reach"),
    path("pools/<id:pool_id>/dashboard/outcomes/", views.pool_outcomes, name="pool_dashboard_outcomes"),
    path("pools/<id:pool_id>/dashboard/rebalance/", views.pool_rebalance, name="pool_rebalance"),
    path("pools/<id:pool_id>/dashboard/<slug:table>.csv", views.pool_export, name="pool_export"),
    path("pools/<id:pool_id>/learning/", views.pool_learning_needs, name="pool_learning_needs"),
    path("pools/<id:pool_id>/learning/demand.csv", views.pool_learning_export, name="pool_learning_export"),
    path("organisations/<id:organisation_id>/usage/", views.organisation_usage, name="organisation_usage"),
]
