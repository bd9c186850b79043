from __future__ import annotations

from django.db import models


class Weekday(models.IntegerChoices):
    # Python's numbering (date.weekday()), which the slot engine uses too.
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class FeedStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the first fetch"
    OK = "ok", "Working"
    FAILING = "failing", "Not working"
