"""Each reflective-group session's register counts worked out again from its places,
independently of the code that keeps them (scheduling.services.attendance), for the check
that the two always agree."""

from __future__ import annotations

from django.db.models import Count, Q

from scheduling.models import GroupSession, Place, PlaceStatus


def assert_register_counts_agree_with_the_places() -> None:
    counted = {
        row["session_id"]: (row["attended"], row["absent"])
        for row in Place.objects.order_by()
        .values("session_id")
        .annotate(
            attended=Count("pk", filter=Q(status=PlaceStatus.ATTENDED)),
            absent=Count("pk", filter=Q(status=PlaceStatus.ABSENT)),
        )
    }
    kept = {
        pk: (attended, absent)
        for pk, attended, absent in GroupSession.objects.values_list("pk", "places_attended", "places_absent")
    }
    wrong = {pk: (kept[pk], counted.get(pk, (0, 0))) for pk in kept if kept[pk] != counted.get(pk, (0, 0))}
    assert not wrong, f"sessions' (attended, absent) kept ≠ counted from places: {wrong}"
