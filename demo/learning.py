"""Demo learning needs (docs/learning.md): for every pool, a year of needs raised by its
organisations' staff (up to today or the pool's end), some on their own, some when asked after a
session, some from a supervisor's suggestion, a few withdrawn since; and each organisation's lead
records a need or two and a topic already covered. Some topics are asked for far more than
others, so the commissioner's demand page has a shape. Deterministic for a given day (a seeded
generator per pool), written with ``bulk_create`` past the services, as the rest of the
city-scale data is. The demo staff member is left without needs, to try it."""

from __future__ import annotations

import datetime
import random
from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from learning.enums import CoveredBy, RaisedHow
from learning.models import LearningNeed, LearningTopic, OrganisationNeed
from reflect.models import Membership, Pool, PoolOrganisation

ASKING = 0.45  # the share of staff who raise at least one need in a year
WITHDRAWN = 0.08
BATCH = 2000
DEMO_STAFF = "staff@demo.reflect.test"
# How often each catalogue topic is asked for, against 1 for the rest: what community
# organisations said they most wanted in the learning report behind Reflect.
POPULAR = {
    "trauma-informed-practice": 6, "vicarious-trauma": 5, "suicide-prevention": 5, "emotional-dysregulation": 4,
    "working-with-complex-trauma": 4, "risk-enablement": 3, "better-conversations": 3, "favourite-person": 3,
    "domestic-abuse-and-disclosures": 3, "confidence-to-challenge": 2, "hearing-voices": 2,
}  # fmt: skip
HOWS = [RaisedHow.OWN] * 6 + [RaisedHow.AFTER_SESSION] * 3 + [RaisedHow.SUGGESTION]


def _moment(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.datetime:
    day = first + datetime.timedelta(days=rng.randrange(0, max((last - first).days, 0) + 1))
    return datetime.datetime.combine(
        day, datetime.time(9 + rng.randrange(0, 8), rng.choice((0, 15, 30, 45))), datetime.UTC
    )


def _seed_pool(pool: Pool, today: datetime.date, topics: list[LearningTopic], taken: set[int]) -> int:
    rng = random.Random(pool.pk * 7919)
    slugs = [topic.slug for topic in topics]
    weights = [POPULAR.get(slug, 1) for slug in slugs]
    by_slug = {topic.slug: topic for topic in topics}
    first, last = max(pool.starts_on, today - datetime.timedelta(days=365)), min(pool.ends_on, today)
    if last < first:
        return 0
    organisations = list(
        PoolOrganisation.objects.filter(pool=pool).order_by("organisation_id").values_list("organisation_id", flat=True)
    )
    members = (
        Membership.objects.current()
        .filter(organisation_id__in=organisations, user__is_active=True)
        .order_by("user_id", "pk")
        .values_list("user_id", "organisation_id", "user__email")
    )
    needs = []
    for person, organisation, email in members:
        if person in taken or email == DEMO_STAFF:
            continue
        taken.add(person)
        if rng.random() >= ASKING:
            continue
        chosen: set[str] = set()
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            chosen.add(rng.choices(slugs, weights)[0])
        for slug in sorted(chosen):
            raised = _moment(rng, first, last)
            withdrawn = rng.random() < WITHDRAWN
            needs.append(
                LearningNeed(
                    person_id=person,
                    organisation_id=organisation,
                    pool=pool,
                    topic=by_slug[slug],
                    raised_at=raised,
                    raised_how=rng.choice(HOWS),
                    withdrawn_at=raised + datetime.timedelta(days=rng.randrange(3, 60)) if withdrawn else None,
                )
            )
    records = []
    recorded = set(
        OrganisationNeed.objects.filter(organisation_id__in=organisations).values_list("organisation_id", flat=True)
    )
    for organisation in organisations:
        if organisation in recorded:
            continue
        picked = rng.sample(slugs, 3)
        for index, slug in enumerate(picked[: rng.choice((1, 2))]):
            records.append(
                OrganisationNeed(
                    organisation_id=organisation,
                    topic=by_slug[slug],
                    staff_count=rng.randrange(2, 15) if index == 0 else None,
                    recorded_at=_moment(rng, first, last),
                )
            )
        if rng.random() < 0.5:
            covered = rng.choice((CoveredBy.LIVED_EXPERIENCE, CoveredBy.PAST_TRAINING))
            records.append(
                OrganisationNeed(
                    organisation_id=organisation, topic=by_slug[picked[2]], covered_by=covered,
                    recorded_at=_moment(rng, first, last),
                )
            )  # fmt: skip
    LearningNeed.objects.bulk_create(needs, batch_size=BATCH)
    OrganisationNeed.objects.bulk_create(records, batch_size=BATCH)
    return len(needs)


def seed_learning(out: TextIOBase, today: datetime.date | None = None) -> None:
    """Needs for every pool that has none yet (a second run adds nothing)."""
    today = today or timezone.localdate()
    topics = list(LearningTopic.objects.filter(pool__isnull=True, active=True).order_by("pk"))
    seeded = set(LearningNeed.objects.values_list("pool_id", flat=True).distinct())
    # A person in two pools' organisations raises their needs in the first only (one open need
    # per person and topic).
    taken = set(LearningNeed.objects.values_list("person_id", flat=True).distinct())
    total = 0
    for pool in Pool.objects.exclude(pk__in=seeded).order_by("pk"):
        with transaction.atomic():
            total += _seed_pool(pool, today, topics, taken)
    out.write(f"Learning needs: {total:,} added.\n")
