"""Raising and withdrawing a learning need (docs/learning.md); a need is met by coming to a
learning session (learning/sessions/services.py).

A need records who would like to learn about which topic, and when: never anything about a
session. It is counted for the person's organisation and its pool at the time; the database
keeps one open need per person and topic, so a second tap finds the first."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.enums import RaisedHow
from learning.models import LearningNeed, LearningTopic
from learning.queries import learning_place_of, open_needs, topics_open_to
from reflect.errors import DomainError
from reflect.models import User

NOT_IN_A_POOL = "You can say what you would like to learn about once your organisation is in a pool that is running."


def raise_need(
    topic: LearningTopic,
    *,
    acting_user: User,
    how: RaisedHow = RaisedHow.OWN,
    now: datetime.datetime | None = None,
) -> LearningNeed:
    """The person would like to learn about ``topic``. A second tap returns the open need."""
    now = now or timezone.now()
    place = learning_place_of(acting_user, timezone.localdate(now))
    if place is None:
        raise DomainError(NOT_IN_A_POOL)
    if not topics_open_to(place.pool).filter(pk=topic.pk).exists():
        raise DomainError("That topic is not offered in your pool. Choose one from the list.")
    existing = open_needs().filter(person=acting_user, topic=topic).first()
    if existing is not None:
        return existing
    try:
        # The savepoint lets a second tap racing this one fall back to its need: the unique
        # constraint one_open_need_per_person_topic decides (docs/architecture.md, "The database
        # keeps the rules").
        with transaction.atomic():
            return LearningNeed.objects.create(
                person=acting_user,
                organisation=place.organisation,
                pool=place.pool,
                topic=topic,
                raised_at=now,
                raised_how=how,
            )
    except IntegrityError:
        return open_needs().get(person=acting_user, topic=topic)


def withdraw_need(need: LearningNeed, *, acting_user: User, now: datetime.datetime | None = None) -> LearningNeed:
    """The person no longer wants this. Withdrawing twice changes nothing."""
    if need.person_id != acting_user.pk:
        raise DomainError("Only the person who raised a learning need can withdraw it.")
    if need.is_open:
        LearningNeed.objects.filter(pk=need.pk, met_at__isnull=True, withdrawn_at__isnull=True).update(
            withdrawn_at=now or timezone.now()
        )
        need.refresh_from_db(fields=["withdrawn_at", "met_at"])
    return need
