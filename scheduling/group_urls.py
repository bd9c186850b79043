from django.urls import path

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
]
