from django.urls import path

from scheduling.groups.views import cohorts, manage, register, sessions, totals

# Mounted at /groups/.
urlpatterns = [
    path("", sessions.session_list, name="group_sessions"),
    path("my-places/", sessions.my_places, name="group_my_places"),
    path("<id:group_id>/", sessions.group_detail, name="group_detail"),
    path("sessions/<id:session_id>/", sessions.session_detail, name="group_session"),
    path("sessions/<id:session_id>/book/", sessions.session_book, name="group_session_book"),
    path("sessions/<id:session_id>/cancel/", sessions.session_cancel, name="group_session_cancel"),
    path("sessions/<id:session_id>/calendar.ics", sessions.session_ics, name="group_session_ics"),
    path("sessions/<id:session_id>/waitlist/", sessions.waitlist_join, name="group_waitlist_join"),
    path("sessions/<id:session_id>/waitlist/accept/", sessions.waitlist_accept, name="group_waitlist_accept"),
    path("sessions/<id:session_id>/waitlist/leave/", sessions.waitlist_leave, name="group_waitlist_leave"),
    path("facilitate/", register.facilitated_sessions, name="group_facilitated"),
    path("facilitate/sessions/<id:session_id>/", register.register, name="group_register"),
    path(
        "facilitate/sessions/<id:session_id>/places/<id:place_id>/cancel/",
        register.register_cancel_place,
        name="group_register_cancel_place",
    ),
    path("pools/<id:pool_id>/new/", manage.group_create, name="group_create"),
    path("pools/<id:pool_id>/", manage.pool_groups, name="group_pool_groups"),
    path("pools/<id:pool_id>/groups/<id:group_id>/", manage.group_manage, name="group_manage"),
    path("pools/<id:pool_id>/groups/<id:group_id>/change/", manage.group_change, name="group_change"),
    path("pools/<id:pool_id>/sessions/<id:session_id>/move/", manage.session_move, name="group_session_move"),
    path("pools/<id:pool_id>/sessions/<id:session_id>/link/", manage.session_link, name="group_session_link"),
    path("facilitate/sessions/<id:session_id>/link/", register.session_link, name="group_register_link"),
    path(
        "pools/<id:pool_id>/sessions/<id:session_id>/cancel/",
        manage.session_cancel_all,
        name="group_session_cancel_all",
    ),
    path("pools/<id:pool_id>/cohorts/", cohorts.cohort_fill, name="cohort_fill"),
    path("pools/<id:pool_id>/cohorts/apply/", cohorts.cohort_apply, name="cohort_apply"),
    path("pools/<id:pool_id>/cohorts/withdraw/", cohorts.cohort_withdraw, name="cohort_withdraw"),
    path("pools/<id:pool_id>/cohorts/leave/", cohorts.cohort_leave, name="cohort_leave"),
    path(
        "organisations/<id:organisation_id>/totals/",
        totals.organisation_totals,
        name="group_organisation_totals",
    ),
]
