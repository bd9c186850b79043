from django.urls import path

from scheduling.views import calendar as views

# Mounted at /calendar/ (a stable public address: docs/product.md).
urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("feed/<str:token>.ics", views.calendar_feed_view, name="calendar_feed"),
    path("feed/<str:token>/groups/<id:group_id>.ics", views.group_schedule_view, name="calendar_group_schedule"),
]
