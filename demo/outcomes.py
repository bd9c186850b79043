"""Demo outcome answers (docs/outcomes.md): for every pool, each current member answers ProQOL 5
at joining and then every six months up to today (or the pool's end), about three in four of
them each time; those who attend supervision or a group drift a little better than those who do
not, so the dashboard's comparison has something to show. At city scale that is over a year of
answers from 1,500 staff. Deterministic for a given day (a seeded generator per pool), written
with ``bulk_create`` past the services, as the rest of the city-scale data is."""

from __future__ import annotations

import datetime
import random
from io import TextIOBase

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from outcomes.bank import current_measure
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.scoring import score_answers
from reflect.models import Membership, Pool, PoolOrganisation
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus

MEASURE = "proqol-5"
ANSWERING = 0.75  # the share who answer each round
BATCH = 2000
# Each person's usual level on each subscale (an item's mean answer on 1 to 5), and how it moves
# a round for those who attend and those who do not.
LEVELS = {"compassion_satisfaction": (3.6, 0.12, 0.0), "burnout": (2.6, -0.10, 0.02), "secondary_traumatic_stress": (2.3, -0.08, 0.0)}  # fmt: skip
DEMO_STAFF = "staff@demo.reflect.test"


def _answers(rng: random.Random, levels: dict[str, float]) -> dict[int, int]:
    measure = current_measure(MEASURE)
    answers: dict[int, int] = {}
    for subscale in measure.subscales:
        for number in subscale.items:
            value = min(5, max(1, round(rng.gauss(levels[subscale.key], 0.7))))
            # A burnout reverse item ("I am happy") is answered the other way round.
            answers[number] = 6 - value if measure.items[number - 1].reverse else value
    return answers


def _attended(pool: Pool) -> set[int]:
    places = Place.objects.filter(status=PlaceStatus.ATTENDED, session__group__pool=pool).values_list(
        "user_id", flat=True
    )
    sessions = BookingAttendee.objects.filter(booking__status=BookingStatus.ATTENDED, booking__pool=pool).values_list(
        "user_id", flat=True
    )
    return set(places.distinct()) | set(sessions.distinct())


def _seed_pool(pool: Pool, today: datetime.date) -> int:
    measure = current_measure(MEASURE)
    rng = random.Random(pool.pk)
    organisations = list(PoolOrganisation.objects.filter(pool=pool).values_list("organisation_id", flat=True))
    members = (
        Membership.objects.current()
        .filter(organisation_id__in=organisations, user__is_active=True)
        .order_by("user_id", "pk")
        .values_list("user_id", "organisation_id", "user__email")
    )
    attended = _attended(pool)
    last = min(pool.ends_on, today)
    responses, invitations, seen = [], [], set()
    for person, organisation, email in members:
        if person in seen:
            continue
        seen.add(person)
        went = person in attended
        levels = {key: rng.gauss(start, 0.35) for key, (start, _, _) in LEVELS.items()}
        day = pool.starts_on + datetime.timedelta(days=rng.randrange(0, 40))
        number = 0
        while day <= last:
            # The demo staff member's latest round is left open, for the walk-through.
            open_for_demo = email == DEMO_STAFF and day + relativedelta(months=6) > last
            answers = rng.random() < ANSWERING and not open_for_demo
            if answers:
                given = _answers(rng, levels)
                scores = score_answers(measure, given)
                responses.append(
                    OutcomeResponse(
                        person_id=person,
                        pool=pool,
                        organisation_id=organisation,
                        round=number,
                        measure=MEASURE,
                        measure_version=measure.version,
                        answered_on=day,
                        answers={str(n): v for n, v in given.items()},
                        scores={key: s.score for key, s in scores.items()},
                        attended=went and number > 0,
                    )
                )
            invitations.append(
                OutcomeInvitation(
                    person_id=person,
                    pool=pool,
                    round=number,
                    due_on=day,
                    measure=MEASURE,
                    status=InvitationStatus.ANSWERED
                    if answers
                    else InvitationStatus.OPEN
                    if open_for_demo
                    else InvitationStatus.DECLINED,
                )
            )
            for key, (_, better, worse) in LEVELS.items():
                levels[key] += (better if went else worse) + rng.gauss(0, 0.1)
            number += 1
            day = day + relativedelta(months=6)
    OutcomeInvitation.objects.bulk_create(invitations, batch_size=BATCH)
    OutcomeResponse.objects.bulk_create(responses, batch_size=BATCH)
    return len(responses)


def seed_outcomes(out: TextIOBase, today: datetime.date | None = None) -> None:
    """Answers for every pool that no one has been asked in yet (a second run adds nothing).

    A pool with any invitation is skipped, answered or not: the demo's own open round, or one the
    daily task asked, would otherwise be written again over its unique constraint."""
    today = today or timezone.localdate()
    asked = set(OutcomeInvitation.objects.order_by().values_list("pool_id", flat=True).distinct())
    answered = set(OutcomeResponse.objects.order_by().values_list("pool_id", flat=True).distinct())
    total = 0
    for pool in Pool.objects.exclude(pk__in=asked | answered).order_by("pk"):
        with transaction.atomic():
            total += _seed_pool(pool, today)
    out.write(f"Outcome answers: {total:,} added.\n")
