"""Learning sessions' use cases (docs/learning.md, "Learning sessions"): a commissioner publishes
a session or points to a course for topics people asked about, and everyone who asked is told;
coming to the session meets the need; an attendee says whether it did.

A session is created by the group machinery's own use case (``create_group``) with the purpose
"learning": booking, the waitlist, reminders, invitations and the register are the groups'.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from learning.models import LearningNeed, LearningTopic
from learning.queries import open_needs, topics_open_to
from learning.session_models import (
    ExternalCourse,
    FeedbackAnswer,
    FeedbackGiven,
    FeedbackTally,
    LearningSessionTopic,
)
from learning.sessions.notification_kinds import LearningNotificationKind
from learning.sessions.queries import people_who_asked
from reflect import wording
from reflect.errors import DomainError
from reflect.models import Pool, User
from reflect.queries import is_commissioner
from reflect.services.audit import record_audit
from reflect.services.notifications import outbox_row, queue_new_notifications
from scheduling.groups.changes import create_group
from scheduling.groups.notices import session_when
from scheduling.groups.places import book_place
from scheduling.models import GroupKind, GroupPurpose, GroupSession, Place, PlaceStatus, ReflectiveGroup, SessionStatus
from scheduling.models.groups import ACTIVE_PLACE_STATUSES

# Rows written per insert when telling everyone who asked: a pool of a city's staff is a few
# thousand people, written in a few statements, never one request per person.
TELL_BATCH = 500

GROUND_RULES = (
    "Come ready to learn with colleagues from other organisations. What anyone shares about their "
    "work stays in the room."
)
CONFIDENTIALITY = "Reflect keeps who booked and who came, never what was said."


def _check_topics(pool: Pool, topics: Iterable[LearningTopic]) -> list[LearningTopic]:
    chosen = list(topics)
    if not chosen:
        raise DomainError("Choose at least one topic the session is for.", field="topics")
    offered = set(topics_open_to(pool).values_list("pk", flat=True))
    if any(topic.pk not in offered for topic in chosen):
        raise DomainError("Choose topics from this pool's list.", field="topics")
    return chosen


def publish_learning_session(
    pool: Pool,
    *,
    acting_user: User,
    topics: Iterable[LearningTopic],
    now: datetime.datetime | None = None,
    **group_fields: Any,
) -> ReflectiveGroup:
    """A commissioner publishes a learning session (one date or a short series) for topics, and
    everyone in the pool with an open need for one of them is told, by their own channel."""
    now = now or timezone.now()
    chosen = _check_topics(pool, topics)
    fields = {
        "kind": GroupKind.DROP_IN,
        "ground_rules": GROUND_RULES,
        "confidentiality_statement": CONFIDENTIALITY,
        "all_pool_organisations": True,
        # Bookable as soon as people are told, however far ahead its date.
        "booking_opens_days": 365,
        **group_fields,
        "purpose": GroupPurpose.LEARNING,
    }
    with transaction.atomic():
        group = create_group(pool, acting_user=acting_user, now=now, **fields)
        LearningSessionTopic.objects.bulk_create([LearningSessionTopic(group=group, topic=t) for t in chosen])
        first = group.sessions.order_by("starts_at").first()
        if first is None:
            raise DomainError("None of the dates is within the pool's period.", field="chosen_dates")
        dates = group.sessions.count()
        context = {
            "title": group.title,
            "when": session_when(first),
            "more_dates": f"and {wording.count(dates - 1, 'more date')}" if dates > 1 else "",
            "led_by": group.led_by_words,
            "how": how_it_meets(group),
            "url": settings.SITE_URL + reverse("learning_session_book", args=[group.pk]),
        }
        # How many were told is not recorded: with a count of one, it would say who asked.
        _tell_people_who_asked(
            pool, chosen, LearningNotificationKind.SESSION_PUBLISHED, f"learning-session:{group.pk}", context
        )
        record_audit("learning_session.published", actor=acting_user, target=group, pool=pool.pk)
    return group


def how_it_meets(group: ReflectiveGroup) -> str:
    """Online, in person, or either, for the message and the booking page alike."""
    if group.online_link and group.location:
        return "Online or in person"
    return "Online" if group.online_link else "In person"


def publish_external_course(
    pool: Pool,
    *,
    acting_user: User,
    topics: Iterable[LearningTopic],
    title: str,
    provider: str,
    url: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> ExternalCourse:
    """A commissioner points their pool to a course run elsewhere; everyone who asked is told."""
    now = now or timezone.now()
    if not is_commissioner(acting_user, pool):
        raise DomainError("Only the pool's commissioners can point it to a course.")
    chosen = _check_topics(pool, topics)
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The last date must be on or after the first date.", field="ends_on")
    with transaction.atomic():
        course = ExternalCourse.objects.create(
            pool=pool,
            title=title,
            provider=provider,
            url=url,
            starts_on=starts_on,
            ends_on=ends_on,
            published_at=now,
            published_by=acting_user,
        )
        course.topics.set(chosen)
        dates = f"From {wording.date(starts_on)}" + (f" to {wording.date(ends_on)}" if ends_on else "")
        context = {
            "title": title,
            "provider": provider,
            "dates": dates,
            "course_url": url,
        }
        _tell_people_who_asked(
            pool, chosen, LearningNotificationKind.COURSE_PUBLISHED, f"external-course:{course.pk}", context
        )
        record_audit("external_course.published", actor=acting_user, target=course, pool=pool.pk)
    return course


def _tell_people_who_asked(
    pool: Pool, topics: list[LearningTopic], kind: str, key: str, context: dict[str, Any]
) -> int:
    """One outbox row per person with an open need for one of the topics, naming the topics
    they asked for (not all of the session's), written in batches of ``TELL_BATCH`` in the
    publishing transaction; the outbox sends each by the person's own channel. The keys name the
    session or course just made, so none can exist yet."""
    told = 0
    batch: list[Any] = []
    for person_id, asked_for in people_who_asked(pool, topics, chunk_size=TELL_BATCH):
        batch.append(
            outbox_row(
                User(pk=person_id),
                kind,
                key=f"{key}:told:{person_id}",
                context=context | {"topics": ", ".join(asked_for)},
                about=key,
            )
        )
        if len(batch) == TELL_BATCH:
            told += len(queue_new_notifications(batch))
            batch = []
    if batch:
        told += len(queue_new_notifications(batch))
    return told


def follow_attendance(place: Place, was: str, now: datetime.datetime) -> int:
    """The register's listener (scheduling/groups/attendance.py): someone marked attended at a
    learning session has their needs for its topics met; a place corrected from attended to
    absent re-opens the needs that attendance met. Other groups meet no need."""
    if place.session.group.purpose != GroupPurpose.LEARNING:
        return 0
    if place.status == PlaceStatus.ATTENDED:
        return meet_needs_on_attendance(place, now)
    if was == PlaceStatus.ATTENDED:
        return reopen_needs_met_by(place)
    return 0


def meet_needs_on_attendance(place: Place, now: datetime.datetime) -> int:
    """Someone came to a learning session: their open needs for its topics are met."""
    group = place.session.group
    return (
        open_needs()
        .filter(person_id=place.user_id, pool_id=group.pool_id, topic__session_links__group=group)
        .update(met_at=now)
    )


def reopen_needs_met_by(place: Place) -> int:
    """A place corrected from attended to absent: the needs that attendance met are open again.

    No need records what met it (a need holds nothing about a session), so a need is re-opened
    only when nothing else could have met it: it is the person's latest met need for one of the
    session's topics in the pool, met after the session began (a register is marked then), not
    withdrawn, with no open need for that topic since (they asked again: that one stands), and
    no other learning session on that topic has them marked attended. Anything else stays met."""
    group = place.session.group
    topics = LearningSessionTopic.objects.filter(group=group).values_list("topic_id", flat=True)
    needs = LearningNeed.objects.filter(person_id=place.user_id, pool_id=group.pool_id, topic_id__in=topics)
    latest: dict[int, LearningNeed] = {}
    for need in needs.order_by("topic_id", "-raised_at", "-pk"):
        latest.setdefault(need.topic_id, need)
    came_elsewhere = set(
        Place.objects.filter(
            user_id=place.user_id,
            status=PlaceStatus.ATTENDED,
            session__group__purpose=GroupPurpose.LEARNING,
            session__group__pool_id=group.pool_id,
            session__group__learning_topics__topic_id__in=list(latest),
        )
        .exclude(pk=place.pk)
        .values_list("session__group__learning_topics__topic_id", flat=True)
    )
    reopen = [
        need.pk
        for need in latest.values()
        if need.met_at is not None
        and need.withdrawn_at is None
        and need.met_at >= place.session.starts_at
        and need.topic_id not in came_elsewhere
    ]
    return LearningNeed.objects.filter(pk__in=reopen).update(met_at=None)


def give_feedback(place: Place, answer: str, *, acting_user: User) -> bool:
    """An attendee says whether the session met their need (yes, partly, no): counted once per
    person per learning session, however many dates its series has, and kept only as a count per
    session and answer, never with the person.

    Once per person, not per place: the dashboard shows these counts through the rule for
    counting people, so one person answering each of a series' dates must not count as many."""
    if answer not in FeedbackAnswer.values:
        raise DomainError("Choose yes, partly or no as your answer.", field="answer")
    with transaction.atomic():
        place = Place.objects.select_related("session__group").get(pk=place.pk)
        if place.user_id != acting_user.pk or place.session.group.purpose != GroupPurpose.LEARNING:
            raise Http404("No such place.")
        # The person's places in this group, all locked in one statement in id order, this one
        # among them: two taps on two dates of a series at once see each other's answer, and
        # neither holds one date's place while waiting for another's (which could deadlock).
        statuses = dict(
            Place.objects.select_for_update(of=("self",))
            .filter(user_id=acting_user.pk, session__group_id=place.session.group_id)
            .order_by("pk")
            .values_list("pk", "status")
        )
        if statuses.get(place.pk) != PlaceStatus.ATTENDED:
            raise DomainError("You can say whether a session met your need once you have been to it.")
        if FeedbackGiven.objects.filter(
            place__user_id=acting_user.pk, place__session__group_id=place.session.group_id
        ).exists():
            return False  # answered already, for this date or another of the series
        FeedbackGiven.objects.create(place=place)
        tally, _ = FeedbackTally.objects.get_or_create(session=place.session, answer=answer)
        FeedbackTally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
    return True


def coming_sessions(group: ReflectiveGroup, now: datetime.datetime) -> list[GroupSession]:
    """The learning session's dates still to come, in order: what a one-step booking books."""
    return list(
        group.sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gt=now)
        .select_related("group")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Booked:
    """What booking a learning session did: a place on each date it could, and why not on the
    others (a date full, in the groups' own words, which send the person to its waitlist)."""

    places: list[Place]
    refused: list[str]


def book_learning_session(group: ReflectiveGroup, *, acting_user: User, now: datetime.datetime) -> Booked:
    """Book the person a place on every coming date of the learning session: a series is one
    course, so booking it means all its dates (docs/learning.md, "Booking in one step"). Each date
    is the groups' own ``book_place`` (its lock, its waitlist, its confirmation; a second click
    returns the place); a date it cannot book (full) is left, and the reason kept to say."""
    places: list[Place] = []
    refused: list[str] = []
    for session in coming_sessions(group, now):
        try:
            places.append(book_place(session, acting_user=acting_user, now=now))
        except DomainError as error:
            refused.append(error.message)
    return Booked(places, refused)


def booked_words(booked: int, refused: int) -> str:
    """What a one-step booking says: one date booked, every date of a series, or some of them."""
    if booked == 1 and not refused:
        return "Your place is booked. We have sent you the details."
    if not refused:
        return f"You have a place on all {wording.count(booked, 'date')}. We have sent you the details."
    return (
        f"You have a place on {wording.count(booked, 'date')} of the course, and not on the "
        f"{wording.count(refused, 'other')}. We have sent you the details."
    )


def booking_page(group: ReflectiveGroup, person: User, now: datetime.datetime) -> dict[str, Any]:
    """The one-step booking page's contents: the session, its topics, every coming date with the
    person's place on it if they have one, and whether any is left to book."""
    sessions = coming_sessions(group, now)
    held = set(
        Place.objects.filter(session__in=sessions, user=person, status__in=ACTIVE_PLACE_STATUSES).values_list(
            "session_id", flat=True
        )
    )
    dates = [(session, session_when(session), session.pk in held) for session in sessions]
    return {
        "group": group,
        "dates": dates,
        "all_dates": wording.count(len(dates), "date"),
        "to_book": sum(1 for _, _, has_place in dates if not has_place),
        "topics": LearningTopic.objects.filter(session_links__group=group).order_by("title"),
        "how": how_it_meets(group),
    }
