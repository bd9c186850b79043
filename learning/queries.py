"""Read-only look-ups for learning needs (docs/learning.md).

What a lead or a commissioner may read leaves here as raw counts by topic, never as rows naming a
person: the pages pass every count of people through the one disclosure rule
(reflect/disclosure.py; the dashboard's dashboard/tables.py)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DateTimeField, ExpressionWrapper, Q, QuerySet, Sum, Value
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from learning.enums import CoveredBy, TopicKind
from learning.models import LearningNeed, LearningTopic, OrganisationNeed, TopicSuggestion
from reflect.disclosure import disclosed
from reflect.models import Organisation, Pool, PoolOrganisation, User, current_membership
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus
from scheduling.models.bookings import LIVE_BOOKING_STATUSES
from supervision.models import SupervisionAgreement

# How long after a supervision session or group the home page asks, gently, about learning.
PROMPT_DAYS = 14


@dataclass(frozen=True)
class LearningPlace:
    """Where a person's needs are counted: their organisation and the pool it is in today."""

    organisation: Organisation
    pool: Pool


def learning_place_of(person: User, today: datetime.date | None = None) -> LearningPlace | None:
    """The person's organisation and its pool running today (the most recently started, if
    several): None when they are in no organisation of a running pool."""
    today = today or timezone.localdate()
    row = (
        PoolOrganisation.objects.select_related("pool", "organisation")
        .filter(
            current_membership("organisation__memberships", user=person),
            pool__starts_on__lte=today,
            pool__ends_on__gte=today,
        )
        .order_by("-pool__starts_on", "organisation_id", "pool_id")
        .first()
    )
    return LearningPlace(row.organisation, row.pool) if row else None


def topics_open_to(pool: Pool | int) -> QuerySet[LearningTopic]:
    """The catalogue's active topics and the pool's own, training topics first."""
    pool_id = pool if isinstance(pool, int) else pool.pk
    return LearningTopic.objects.filter(Q(pool__isnull=True) | Q(pool_id=pool_id), active=True).order_by(
        "-kind", "title", "pk"
    )


def topics_open_to_organisation(organisation: Organisation) -> QuerySet[LearningTopic]:
    """The catalogue's topics and those of every pool the organisation is in."""
    return (
        LearningTopic.objects.filter(
            Q(pool__isnull=True) | Q(pool__memberships__organisation=organisation), active=True
        )
        .order_by("-kind", "title", "pk")
        .distinct()
    )


def open_needs() -> QuerySet[LearningNeed]:
    return LearningNeed.objects.filter(met_at__isnull=True, withdrawn_at__isnull=True)


@dataclass(frozen=True)
class TopicGroup:
    """A heading of a person's topics page and its topics, each with the person's open need."""

    title: str
    topics: list[tuple[LearningTopic, LearningNeed | None]]


def topic_groups(place: LearningPlace, needs: Mapping[int, LearningNeed]) -> list[TopicGroup]:
    """The topics open to the person's pool under their headings (the catalogue's training
    topics, the things staff meet, the pool's own), each with their open need if any; empty
    headings left out."""
    topics = [(topic, needs.get(topic.pk)) for topic in topics_open_to(place.pool)]
    groups = [
        TopicGroup("Training topics", [(t, n) for t, n in topics if t.kind == TopicKind.TOPIC and t.pool_id is None]),
        TopicGroup("Things staff meet", [(t, n) for t, n in topics if t.kind == TopicKind.PRESENTATION]),
        TopicGroup(f"Added for {place.pool.name}", [(t, n) for t, n in topics if t.pool_id is not None]),
    ]
    return [group for group in groups if group.topics]


def own_needs(person: User) -> QuerySet[LearningNeed]:
    """A person's open needs, newest first."""
    return open_needs().filter(person=person).select_related("topic")


def waiting_suggestions(person: User) -> list[TopicSuggestion]:
    """Suggestions made to the person that they have not answered yet, one a topic (two
    supervisors may suggest the same one; answering it answers both), the latest first."""
    one_a_topic: dict[int, TopicSuggestion] = {}
    for suggestion in TopicSuggestion.objects.filter(person=person, answer="").select_related("topic"):
        one_a_topic.setdefault(suggestion.topic_id, suggestion)
    return list(one_a_topic.values())


def suggestions_made(agreement: SupervisionAgreement, supervisor: User) -> list[TopicSuggestion]:
    """The supervisor's own suggestions under the agreement, the latest 50: never their answers
    (the page shows topic, person and date only)."""
    return list(
        TopicSuggestion.objects.filter(agreement=agreement, supervisor=supervisor).select_related("topic", "person")[
            :50
        ]
    )


def supervisees_of(agreement: SupervisionAgreement) -> QuerySet[User]:
    """The people a supervisor supervises under an agreement: current staff of its organisation
    who have come to (or are booked into) one of its sessions. Only they can be suggested a topic;
    the supervisor never sees the organisation's whole staff list."""
    return (
        User.objects.filter(
            current_membership("memberships", organisation_id=agreement.organisation_id),
            supervision_bookings__booking__agreement=agreement,
            supervision_bookings__booking__status__in=LIVE_BOOKING_STATUSES,
        )
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def _prompt_from(now: datetime.datetime) -> ExpressionWrapper[CombinedExpression]:
    """PROMPT_DAYS before ``now``, worked out by the database: the home page's row of facts keeps
    its SQL only when ``now`` itself is the parameter (reflect/statements.py), never a value
    worked out from it."""
    return ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - Value(datetime.timedelta(days=PROMPT_DAYS)),
        output_field=DateTimeField(),
    )


def attended_recently(person_id: int, now: datetime.datetime) -> QuerySet[BookingAttendee]:
    """Supervision sessions the person attended in the last PROMPT_DAYS (the home page's
    gentle question after a session: which session is never kept with a need)."""
    return BookingAttendee.objects.filter(
        user_id=person_id,
        booking__status=BookingStatus.ATTENDED,
        booking__starts_at__gte=_prompt_from(now),
        booking__starts_at__lte=now,
    )


def attended_group_recently(person_id: int, now: datetime.datetime) -> QuerySet[Place]:
    """Reflective-group sessions the person attended in the last PROMPT_DAYS."""
    return Place.objects.filter(
        user_id=person_id,
        status=PlaceStatus.ATTENDED,
        session__starts_at__gte=_prompt_from(now),
        session__starts_at__lte=now,
    )


def organisation_records(organisation: Organisation) -> QuerySet[OrganisationNeed]:
    return OrganisationNeed.objects.filter(organisation=organisation).select_related("topic")


@dataclass(frozen=True)
class TopicRow:
    """A line of a lead's page: a topic, how many of their staff asked (disclosed), their record."""

    topic: LearningTopic
    staff: int | str  # disclosed: 0, "*" or a multiple of 5
    record: OrganisationNeed | None


def organisation_topic_rows(organisation: Organisation, topics: list[LearningTopic]) -> list[TopicRow]:
    """The lead's page's rows: each topic with its staff count through the one disclosure rule
    (reflect/disclosure.py: never who, never 1 to 7) and the lead's record; the topics with
    something to say first, the rest of the catalogue after, by title."""
    records = {record.topic_id: record for record in organisation_records(organisation)}
    demand = staff_demand_of(organisation)
    rows = [TopicRow(topic, disclosed(demand.get(topic.pk, 0)), records.get(topic.pk)) for topic in topics]
    rows.sort(key=lambda row: (row.record is None and row.staff == 0, row.topic.title))
    return rows


def staff_demand_of(organisation: Organisation) -> dict[int, int]:
    """For a lead: by topic id, how many of the organisation's staff asked for it and have not
    withdrawn it, met or not (raw: the page discloses every count, reflect/disclosure.py).

    Met needs still count: a need is met when the register marks its person attended, and a lead
    who released someone for a training day would learn who asked if the count fell after it."""
    rows = (
        LearningNeed.objects.filter(organisation=organisation, withdrawn_at__isnull=True)
        .values("topic")
        .annotate(people=Count("person", distinct=True))
    )
    return {row["topic"]: row["people"] for row in rows}


def pool_demand(pool: Pool) -> list[dict[str, Any]]:
    """For a commissioner: one raw row per topic open to the pool, with the people and the
    organisations whose staff have an open need, and the leads' own records (organisations that
    recorded the need, the staff they counted, organisations where it is already covered).
    Three grouped queries, whatever the size of the pool (docs/learning.md)."""
    topics = list(topics_open_to(pool).values("pk", "title", "kind", "pool_id"))
    needs: dict[int, Mapping[str, Any]] = {
        row["topic"]: row
        for row in open_needs()
        .filter(pool=pool)
        .values("topic")
        .annotate(people=Count("person", distinct=True), organisations=Count("organisation", distinct=True))
    }
    records: dict[int, Mapping[str, Any]] = {
        row["topic"]: row
        for row in OrganisationNeed.objects.filter(organisation__pool_memberships__pool=pool)
        .values("topic")
        .annotate(
            recorded=Count("pk", filter=Q(covered_by=CoveredBy.NONE)),
            staff_counted=Sum("staff_count", filter=Q(covered_by=CoveredBy.NONE)),
            covered=Count("pk", filter=~Q(covered_by=CoveredBy.NONE)),
        )
    }
    rows = []
    for topic in topics:
        need = needs.get(topic["pk"], {})
        record = records.get(topic["pk"], {})
        rows.append(
            {
                "topic_id": topic["pk"],
                "topic": topic["title"],
                "kind": "Presentation" if topic["kind"] == "presentation" else "Topic",
                "own_topic": topic["pool_id"] is not None,
                "people": need.get("people", 0),
                "organisations": need.get("organisations", 0),
                "recorded": record.get("recorded", 0),
                "staff_counted": record.get("staff_counted") or 0,
                "covered": record.get("covered", 0),
            }
        )
    # Most asked for first; then by name, so the order is stable.
    rows.sort(key=lambda row: (-row["people"], -row["recorded"], row["topic"]))
    return rows


def people_with_open_needs(pool: Pool) -> int:
    """Distinct people in the pool with at least one open need (raw, for disclosure)."""
    return open_needs().filter(pool=pool).values("person").distinct().count()
