from django.urls import path

from scheduling.views import bookings as views

# Mounted at /supervision/.
urlpatterns = [
    path("", views.supervision_home, name="supervision_home"),
    path("agreements/<id:agreement_id>/book/", views.choose_slot, name="supervision_book"),
    path("agreements/<id:agreement_id>/book/confirm/", views.confirm_booking, name="supervision_book_confirm"),
    path("sessions/<id:booking_id>/", views.session_detail, name="supervision_session"),
    path("sessions/<id:booking_id>/cancel/", views.cancel_session, name="supervision_session_cancel"),
    path("sessions/<id:booking_id>/move/", views.move_session, name="supervision_session_move"),
    path("sessions/<id:booking_id>/link/", views.session_link, name="supervision_session_link"),
    path("sessions/<id:booking_id>/calendar.ics", views.session_ics, name="supervision_session_ics"),
    path("sessions/<id:booking_id>/attendance/", views.mark_attendance, name="supervision_session_attendance"),
    path("log/", views.supervision_log, name="supervision_log"),
    path("log.csv", views.supervision_log_csv, name="supervision_log_csv"),
]
