"""Read-only look-ups other apps use (the dashboard): answers as aggregates need them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import FloatField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from outcomes.models import OutcomeResponse


@dataclass(frozen=True)
class ResponseRow:
    """One answer as the commissioner's aggregates need it. ``person`` is an id used only to pair
    a person's answers with their first; it never leaves the figure module."""

    person: int
    organisation: int
    answered_on: datetime.date
    attended: bool
    scores: tuple[float, ...]  # in the order of the keys asked for


def pool_responses(pool_id: int, measure: str, keys: Sequence[str]) -> list[ResponseRow]:
    """Every answer to ``measure`` in the pool, oldest first, with the scores of ``keys`` read
    out of the JSON by the database as numbers (one query; decoding thousands of JSON
    documents in Python took most of the outcome section's time at city scale)."""
    scores = {f"score_{n}": Cast(KT(f"scores__{key}"), FloatField()) for n, key in enumerate(keys)}
    rows = (
        OutcomeResponse.objects.filter(pool_id=pool_id, measure=measure)
        .order_by("answered_on", "pk")
        .annotate(**scores)
        .values_list("person_id", "organisation_id", "answered_on", "attended", *scores)
    )
    return [ResponseRow(row[0], row[1], row[2], row[3], tuple(row[4:])) for row in rows]
