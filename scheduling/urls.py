from django.urls import path

from scheduling.views import availability, bookings, connected_calendar

urlpatterns = [
    path("", availability.overview, name="availability_overview"),
    path("settings/", availability.edit_settings, name="availability_settings"),
    path("week/", availability.week, name="availability_week"),
    path("rules/add/", availability.add_rule, name="availability_rule_add"),
    path("rules/<id:rule_id>/remove/", availability.remove_rule, name="availability_rule_remove"),
    path("dates/add/", availability.add_override, name="availability_override_add"),
    path("days-off/", availability.days_off, name="availability_days_off"),
    path("days-off/check/", availability.days_off_check, name="availability_days_off_check"),
    path("dates/<id:override_id>/remove/", availability.remove_override, name="availability_override_remove"),
    path("calendar/", availability.busy_calendar_form, name="availability_busy_calendar"),
    path("calendar/remove/", availability.busy_calendar_remove, name="availability_busy_calendar_remove"),
    path("connected-calendar/", connected_calendar.connect, name="availability_connected_calendar"),
    path(
        "connected-calendar/disconnect/",
        connected_calendar.disconnect,
        name="availability_connected_calendar_disconnect",
    ),
    path(
        "connected-calendar/sessions/<id:entry_id>/put-back/",
        connected_calendar.put_back,
        name="availability_connected_calendar_put_back",
    ),
    path("sessions/", bookings.supervisor_sessions, name="supervisor_sessions"),
]
