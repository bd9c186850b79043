"""Read-only look-ups other apps use (the dashboard): answers as aggregates need them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from outcomes.models import OutcomeResponse


@dataclass(frozen=True)
class ResponseRow:
    """One answer as the commissioner's aggregates need it. ``person`` is an id used only to pair
    a person's answers with their first; it never leaves the figure module."""

    person: int
    organisation: int
    answered_on: datetime.date
    scores: dict[str, int]
    attended: bool


def pool_responses(pool_id: int, measure: str) -> list[ResponseRow]:
    """Every answer to ``measure`` in the pool, oldest first (one query, five columns)."""
    return [
        ResponseRow(*row)
        for row in OutcomeResponse.objects.filter(pool_id=pool_id, measure=measure)
        .order_by("answered_on", "pk")
        .values_list("person_id", "organisation_id", "answered_on", "scores", "attended")
    ]
