"""Equality answers for the demo's staff (docs/equality.md): about seven in ten staff answer,
each question left blank or "prefer not to say" now and then, in shares like a northern city's
community workforce. Deterministic (a seeded generator), written with ``bulk_create``.

Men and people aged 16 to 24 are more likely to be among those who used the pool least (the
lightest third, by minutes in sessions), so the reach tables have something to flag, as real
ones would. The demo's own staff and lead
logins are left unanswered, so that their home page still asks.

The demo's memberships were all made the moment the seed ran; the reach tables count the staff
working at the end of the last complete month, so the seed dates each membership from its
pool's first day (the city's staff have worked there all along).
"""

from __future__ import annotations

import datetime
import random
from io import TextIOBase

from django.db.models import Exists, OuterRef, Sum

from equality.categories import CATEGORIES, PREFER_NOT_TO_SAY
from equality.models import EqualityAnswers
from reflect.local_time import LONDON
from reflect.models import Membership, Pool, User, current_membership
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus

ANSWERING = 0.7  # of staff who answer at all
BLANK, PREFER_NOT = 0.04, 0.04  # of each question, among those who answer

# Weights for each answer (the rest of each question's list has weight 0.5).
WEIGHTS: dict[str, dict[str, float]] = {
    "age_band": {"16_24": 9, "25_34": 24, "35_49": 33, "50_64": 28, "65_over": 6},
    "sex": {"female": 70, "male": 30},
    "gender_identity": {"same": 98.5, "different": 1.5},
    "sexual_orientation": {"straight": 88, "gay_lesbian": 4.5, "bisexual": 5, "other": 1.5},
    "ethnic_group": {
        "white_british": 70, "white_irish": 1, "white_other": 4, "asian_pakistani": 6, "asian_indian": 3,
        "asian_bangladeshi": 1, "asian_chinese": 1.5, "asian_other": 1.5, "black_african": 3.5,
        "black_caribbean": 1.5, "black_other": 0.5, "mixed_white_black_caribbean": 1.5, "mixed_white_asian": 1,
        "mixed_white_black_african": 0.7, "mixed_other": 1, "other_arab": 0.6, "other_any": 1,
        "white_gypsy_traveller": 0.3, "white_roma": 0.3,
    },
    "disability": {"limited_lot": 7, "limited_little": 12, "not_disabled": 81},
    "religion": {"none": 45, "christian": 38, "muslim": 9, "hindu": 1.5, "sikh": 1.5, "jewish": 0.5,
                 "buddhist": 0.5, "other": 1},
}  # fmt: skip
# Among the lightest users these answers are this much more likely, and among the others this
# much less (the reach flag's demo).
LIGHT_USERS = {("sex", "male"): (4.0, 0.3), ("age_band", "16_24"): (4.0, 0.3)}
KEPT_UNANSWERED = ("staff@demo.reflect.test", "lead@demo.reflect.test")


def _date_memberships_from_pool_start() -> None:
    # The latest-starting pool first, so a person in two pools keeps the earlier first day.
    for pool in Pool.objects.order_by("-starts_on"):
        first_day = datetime.datetime.combine(pool.starts_on, datetime.time(0), tzinfo=LONDON)
        Membership.objects.filter(organisation__pool_memberships__pool=pool, joined_at__gt=first_day).update(
            joined_at=first_day
        )


def _answer(rng: random.Random, key: str, light: bool) -> str:
    draw = rng.random()
    if draw < BLANK:
        return ""
    if draw < BLANK + PREFER_NOT:
        return PREFER_NOT_TO_SAY
    category = next(c for c in CATEGORIES if c.key == key)
    codes = [a.code for a in category.answers]
    weights = [
        WEIGHTS[key].get(code, 0.5) * LIGHT_USERS.get((key, code), (1.0, 1.0))[0 if light else 1] for code in codes
    ]
    return rng.choices(codes, weights)[0]


def _minutes_used() -> dict[int, int]:
    """Each person's minutes in sessions they attended, across every pool."""
    minutes: dict[int, int] = {}
    places = (
        Place.objects.filter(status=PlaceStatus.ATTENDED)
        .values("user_id")
        .annotate(minutes=Sum("session__group__duration_minutes"))
    )
    sessions = (
        BookingAttendee.objects.filter(booking__status=BookingStatus.ATTENDED)
        .values("user_id")
        .annotate(minutes=Sum("booking__minutes"))
    )
    for row in [*places.order_by(), *sessions.order_by()]:
        minutes[row["user_id"]] = minutes.get(row["user_id"], 0) + (row["minutes"] or 0)
    return minutes


def seed_equality_answers(out: TextIOBase) -> None:
    """Answers for staff of every pool who have none yet (a second run adds nothing new)."""
    _date_memberships_from_pool_start()
    staff = list(
        User.objects.filter(current_membership("memberships"))
        .exclude(email__in=KEPT_UNANSWERED)
        .exclude(Exists(EqualityAnswers.objects.filter(user=OuterRef("pk"))))
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    minutes = _minutes_used()
    ranked = sorted(minutes.get(pk, 0) for pk in staff)
    light = ranked[len(ranked) // 3] if ranked else 0
    rows = []
    for pk in staff:
        # One generator per person (the Census year and their id): a second run, after more staff
        # were added, makes the same choice for everyone it meets again, so adds nobody twice.
        rng = random.Random(f"2021-{pk}")
        if rng.random() < ANSWERING:
            light_user = minutes.get(pk, 0) <= light
            answers = {c.key: _answer(rng, c.key, light_user) for c in CATEGORIES}
            rows.append(EqualityAnswers(user_id=pk, prompt_dismissed=True, **answers))
    EqualityAnswers.objects.bulk_create(rows, batch_size=2000)
    out.write(f"Equality answers: {len(rows):,} staff answered.\n")
