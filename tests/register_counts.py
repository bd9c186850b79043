"""Each reflective-group session's counts worked out again from its places, independently of
the code that keeps them (the places taken: scheduling.groups.capacity; the register:
scheduling.groups.attendance), for the check that the two always agree."""

from __future__ import annotations

from django.db.models import Count, Q

from scheduling.models import GroupSession, Place, PlaceStatus


def assert_register_counts_agree_with_the_places() -> None:
    counted = {
        row["session_id"]: (row["taken"], row["attended"], row["absent"])
        for row in Place.objects.order_by()
        .values("session_id")
        .annotate(
            taken=Count("pk", filter=~Q(status=PlaceStatus.CANCELLED)),
            attended=Count("pk", filter=Q(status=PlaceStatus.ATTENDED)),
            absent=Count("pk", filter=Q(status=PlaceStatus.ABSENT)),
        )
    }
    kept = {
        pk: counts
        for pk, *counts in GroupSession.objects.values_list("pk", "places_taken", "places_attended", "places_absent")
    }
    nothing = (0, 0, 0)
    wrong = {pk: (kept[pk], counted.get(pk, nothing)) for pk in kept if tuple(kept[pk]) != counted.get(pk, nothing)}
    assert not wrong, f"sessions' (taken, attended, absent) kept ≠ counted from places: {wrong}"
