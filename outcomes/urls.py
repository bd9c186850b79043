from django.urls import path

from outcomes.views import own, schedule

urlpatterns = [
    path("outcomes/", own.outcomes_home, name="outcomes_home"),
    path("outcomes/<id:invitation_id>/answer/", own.outcomes_answer, name="outcomes_answer"),
    path("outcomes/<id:invitation_id>/decline/", own.outcomes_decline, name="outcomes_decline"),
    path("pools/<id:pool_id>/outcomes/schedule/", schedule.outcomes_schedule, name="outcomes_schedule"),
]
