"""Answers for the tests: the distinctive worked example, and rows written directly for the
dashboard's aggregates."""

from __future__ import annotations

import datetime

from outcomes.models import OutcomeResponse
from reflect.models import Organisation, Pool, User

# The worked example of test_scoring.py: satisfaction 37, burnout 19, trauma 41.
DISTINCTIVE = {n: 3 for n in range(1, 31)}
DISTINCTIVE |= {3: 4, 6: 4, 12: 4, 16: 4, 18: 4, 20: 4, 22: 4}
DISTINCTIVE |= {n: 2 for n in (8, 10, 19, 21, 26)}
DISTINCTIVE |= {1: 5, 4: 5, 15: 5, 17: 5, 29: 1}
DISTINCTIVE |= {n: 4 for n in (2, 5, 7, 9, 11, 13, 14, 23, 25)} | {28: 5}
DISTINCTIVE_SCORES = {"compassion_satisfaction": 37, "burnout": 19, "secondary_traumatic_stress": 41}


def answered(
    person: User,
    pool: Pool,
    organisation: Organisation,
    on: datetime.date,
    *,
    round: int,
    satisfaction: int,
    burnout: int = 25,
    trauma: int = 25,
    attended: bool = False,
) -> OutcomeResponse:
    return OutcomeResponse.objects.create(
        person=person,
        pool=pool,
        organisation=organisation,
        round=round,
        measure="proqol-5",
        measure_version=1,
        answered_on=on,
        answers={},
        scores={"compassion_satisfaction": satisfaction, "burnout": burnout, "secondary_traumatic_stress": trauma},
        attended=attended,
    )
