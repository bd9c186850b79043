"""Reads for learning sessions: the topics a pool may arrange for, who asked for them, the
sessions open to a person for what they asked, and the answers given after them."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)

from learning.models import LearningNeed, LearningTopic
from learning.queries import open_needs
from learning.session_models import FeedbackAnswer, FeedbackGiven, FeedbackTally, LearningSessionTopic
from reflect import wording
from reflect.models import Pool, User
from reflect.statements import fetch_named_rows
from scheduling.models import (
    GroupPurpose,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from scheduling.models.groups import ACTIVE_PLACE_STATUSES


def people_who_asked(pool: Pool, topics: list[LearningTopic], *, chunk_size: int) -> Iterator[tuple[int, list[str]]]:
    """Everyone active with an open need in the pool for one of the topics, each once, with the
    titles of those of the topics they asked for (in title order): one query, read in chunks.

    Each person is told of their own topics only: a colleague's need for another of the
    session's topics is not theirs to hear of, and the message is about what they asked."""
    rows = (
        open_needs()
        .filter(pool=pool, topic__in=topics, person__is_active=True)
        .values_list("person_id", "topic__title")
        .order_by("person_id", "topic__title")
    )
    for person_id, needs in itertools.groupby(rows.iterator(chunk_size=chunk_size), key=itemgetter(0)):
        yield person_id, [title for _, title in needs]


@dataclass(frozen=True)
class SessionOffer:
    """A coming learning session for a topic the person asked about, for their home page: the
    group, its next date the person has no place in, and the topics they asked for that it covers."""

    group_id: int
    title: str
    when: str  # its next date without a place
    topics: list[str]
    more: int = 0  # its later dates without a place (booking books them all)


def _offer_rows(person: int, now: datetime.datetime) -> QuerySet[LearningSessionTopic, Any]:
    """Each topic link of a running learning session in a pool where the person has an open need
    for that topic, with the group's next date they have no place in (none: no row)."""
    coming = (
        GroupSession.objects.filter(group_id=OuterRef("group_id"), status=SessionStatus.SCHEDULED, starts_at__gt=now)
        .exclude(Exists(Place.objects.filter(session=OuterRef("pk"), user_id=person, status__in=ACTIVE_PLACE_STATUSES)))
        .order_by("starts_at", "pk")
    )
    asked = open_needs().filter(person_id=person, topic_id=OuterRef("topic_id"), pool_id=OuterRef("group__pool_id"))
    return (
        LearningSessionTopic.objects.filter(
            Exists(asked), group__purpose=GroupPurpose.LEARNING, group__status=GroupStatus.ACTIVE
        )
        .annotate(
            session_id=Subquery(coming.values("pk")[:1]),
            starts_at=Subquery(coming.values("starts_at")[:1]),
            ends_at=Subquery(coming.values("ends_at")[:1]),
            dates=Subquery(coming.order_by().values("group_id").annotate(n=Count("pk")).values("n")),
        )
        .filter(session_id__isnull=False)
        .values("group_id", "group__title", "group__time_zone", "topic__title", "starts_at", "ends_at", "dates")
        .order_by("starts_at", "group_id", "topic__title")[:50]
    )


def sessions_for_needs(user: User, now: datetime.datetime, *, limit: int = 3) -> list[SessionOffer]:
    """Running learning sessions of the person's pools, for topics they asked about and not met,
    each with its next date where they have no place yet, soonest first. One query, its SQL
    kept once per process: it is on the home page of everyone who asked (reflect/statements.py)."""
    offers: dict[int, SessionOffer] = {}
    for row in fetch_named_rows(("learning-session-offers",), _offer_rows, person=user.pk, now=now):
        offer = offers.get(row["group_id"])
        if offer is None:
            when = wording.span(row["starts_at"], row["ends_at"], row["group__time_zone"])
            offer = SessionOffer(row["group_id"], row["group__title"], when, [], more=row["dates"] - 1)
            offers[row["group_id"]] = offer
        offer.topics.append(row["topic__title"])
    return list(offers.values())[:limit]


# How long after a learning session its attendees are asked whether it met their need.
FEEDBACK_ASKED_FOR = datetime.timedelta(days=90)


def places_awaiting_feedback(user: User, now: datetime.datetime) -> QuerySet[Place]:
    """The person's attended places in learning sessions of the last 90 days whose session they
    have not yet said met their need or not (asked once a learning session, always optional)."""
    return (
        Place.objects.filter(
            user=user,
            status=PlaceStatus.ATTENDED,
            session__group__purpose=GroupPurpose.LEARNING,
            # Worked out by the database, not here: the home page's row keeps its statement only
            # if ``now`` goes in as it is (reflect/statements.py).
            session__ends_at__gte=ExpressionWrapper(
                Value(now, output_field=DateTimeField()) - Value(FEEDBACK_ASKED_FOR, output_field=DurationField()),
                output_field=DateTimeField(),
            ),
            session__ends_at__lte=now,
        )
        # Asked once for a whole series: not again once they answered for any of its dates.
        .exclude(
            Exists(
                FeedbackGiven.objects.filter(place__user=user, place__session__group_id=OuterRef("session__group_id"))
            )
        )
        .select_related("session__group")
        .order_by("-session__starts_at")
    )


@dataclass(frozen=True)
class TopicFeedback:
    """How many attendees answered each way after sessions for one topic (raw counts: the
    dashboard discloses them through its one rule)."""

    topic: str
    yes: int
    partly: int
    no: int


def feedback_by_topic(pool_ids: list[int], since: datetime.datetime, until: datetime.datetime) -> list[TopicFeedback]:
    """The answers after learning sessions that began in the period, added up per topic: a
    session for two topics counts for both. One query."""
    rows = (
        FeedbackTally.objects.filter(
            session__group__pool_id__in=pool_ids,
            session__starts_at__gte=since,
            session__starts_at__lt=until,
        )
        .values("session__group__learning_topics__topic__title", "answer")
        .annotate(total=Sum("count"))
        .order_by()
    )
    by_topic: dict[str, dict[str, int]] = {}
    for row in rows:
        title = row["session__group__learning_topics__topic__title"]
        if title is None:
            continue
        by_topic.setdefault(title, {})[row["answer"]] = row["total"]
    return [
        TopicFeedback(
            title,
            answers.get(FeedbackAnswer.YES, 0),
            answers.get(FeedbackAnswer.PARTLY, 0),
            answers.get(FeedbackAnswer.NO, 0),
        )
        for title, answers in sorted(by_topic.items())
    ]


def met_needs_of(person: User, *, limit: int = 20) -> QuerySet[LearningNeed]:
    """The person's needs met (by a learning session they came to), the latest first."""
    return (
        LearningNeed.objects.filter(person=person, met_at__isnull=False)
        .select_related("topic")
        .order_by("-met_at", "-pk")[:limit]
    )
