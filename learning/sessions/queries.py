"""Reads for learning sessions: the topics a pool may arrange for, who asked for them, the
sessions open to a person for what they asked, and the answers given after them."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from operator import itemgetter

from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, OuterRef, QuerySet, Sum, Value

from learning.models import LearningNeed, LearningTopic
from learning.queries import open_needs
from learning.session_models import FeedbackAnswer, FeedbackGiven, FeedbackTally, LearningSessionTopic
from reflect.models import Pool, User
from scheduling.models import (
    GroupPurpose,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    ReflectiveGroup,
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
    """A coming learning session for a topic the person asked about, for their home page."""

    group: ReflectiveGroup
    session: GroupSession  # its next date without a place
    topics: list[str]
    more: int = 0  # its later dates without a place (booking books them all)


def sessions_for_needs(user: User, now: datetime.datetime, *, limit: int = 3) -> list[SessionOffer]:
    """Running learning sessions of the person's pools, for topics they asked about and not met,
    where they have no place yet: each with its next session. Two queries."""
    asked = open_needs().filter(person=user)
    links = (
        LearningSessionTopic.objects.filter(
            topic_id__in=asked.values("topic_id"),
            group__pool_id__in=asked.values("pool_id"),
            group__purpose=GroupPurpose.LEARNING,
            group__status=GroupStatus.ACTIVE,
        )
        .select_related("topic")
        .order_by("group_id", "topic__title")
    )
    topics: dict[int, list[str]] = {}
    for link in links:
        topics.setdefault(link.group_id, []).append(link.topic.title)
    if not topics:
        return []
    coming = (
        GroupSession.objects.filter(group_id__in=topics, status=SessionStatus.SCHEDULED, starts_at__gt=now)
        .exclude(Exists(Place.objects.filter(session=OuterRef("pk"), user=user, status__in=ACTIVE_PLACE_STATUSES)))
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    offers: dict[int, SessionOffer] = {}
    for session in coming[:50]:
        offer = offers.get(session.group_id)
        if offer is None:
            offers[session.group_id] = SessionOffer(session.group, session, topics[session.group_id])
        else:
            offers[session.group_id] = replace(offer, more=offer.more + 1)
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
