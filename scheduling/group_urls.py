from django.urls import path

from scheduling.views import cohorts, group_admin, group_totals
from scheduling.views import groups as views

# Mounted at /groups/.
urlpatterns = [
    path("", views.session_list, name="group_sessions"),
    path("my-places/", views.my_places, name="group_my_places"),
    path("sessions/<int:session_id>/", views.session_detail, name="group_session"),
    path("sessions/<int:session_id>/book/", views.session_book, name="group_session_book"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel, name="group_session_cancel"),
    path("sessions/<int:session_id>/waitlist/", views.waitlist_join, name="group_waitlist_join"),
    path("sessions/<int:session_id>/waitlist/accept/", views.waitlist_accept, name="group_waitlist_accept"),
    path("sessions/<int:session_id>/waitlist/leave/", views.waitlist_leave, name="group_waitlist_leave"),
    path("facilitate/", views.facilitated_sessions, name="group_facilitated"),
    path("facilitate/sessions/<int:session_id>/", views.register, name="group_register"),
    path("pools/<int:pool_id>/new/", views.group_create, name="group_create"),
    path("pools/<int:pool_id>/", group_admin.pool_groups, name="group_pool_groups"),
    path("pools/<int:pool_id>/groups/<int:group_id>/", group_admin.group_manage, name="group_manage"),
    path("pools/<int:pool_id>/groups/<int:group_id>/change/", group_admin.group_change, name="group_change"),
    path("pools/<int:pool_id>/sessions/<int:session_id>/move/", group_admin.session_move, name="group_session_move"),
    path(
        "pools/<int:pool_id>/sessions/<int:session_id>/cancel/",
        group_admin.session_cancel_all,
        name="group_session_cancel_all",
    ),
    path("pools/<int:pool_id>/cohorts/", cohorts.cohort_fill, name="cohort_fill"),
    path("pools/<int:pool_id>/cohorts/apply/", cohorts.cohort_apply, name="cohort_apply"),
    path("pools/<int:pool_id>/cohorts/withdraw/", cohorts.cohort_withdraw, name="cohort_withdraw"),
    path("pools/<int:pool_id>/cohorts/leave/", cohorts.cohort_leave, name="cohort_leave"),
    path(
        "organisations/<int:organisation_id>/totals/",
        group_totals.organisation_totals,
        name="group_organisation_totals",
    ),
]
