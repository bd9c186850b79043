"""The home page's learning sessions: a session for a topic the person asked about, with a
"Book a place" button (one step), and, after one they came to, whether it met their need.

Each panel asks its yes-or-no in the roles' one row first (reflect/home.py): most people have
nothing waiting, and then the panels cost no query of their own."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F
from django.urls import reverse
from django.utils import timezone

from learning.session_models import LearningSessionTopic
from learning.sessions.queries import places_awaiting_feedback, sessions_for_needs
from reflect import wording
from reflect.home import HomePanel, NextStep, register_home_fact, register_home_panels
from reflect.models import User
from reflect.navigation import Roles
from scheduling.models import GroupPurpose, GroupStatus, SessionStatus


def _session_for_a_need(person: int, now: datetime.datetime, _today: datetime.date) -> Exists:
    return Exists(
        LearningSessionTopic.objects.filter(
            group__purpose=GroupPurpose.LEARNING,
            group__status=GroupStatus.ACTIVE,
            group__sessions__status=SessionStatus.SCHEDULED,
            group__sessions__starts_at__gt=now,
            topic__needs__person_id=person,
            topic__needs__pool_id=F("group__pool_id"),
            topic__needs__met_at__isnull=True,
            topic__needs__withdrawn_at__isnull=True,
        )
    )


register_home_fact("learning_session_for_need", _session_for_a_need)
register_home_fact(
    "learning_feedback_due",
    lambda person, now, _today: Exists(places_awaiting_feedback(User(pk=person), now)),
)


@register_home_panels
def learning_session_panels(user: User, roles: Roles) -> list[HomePanel]:
    now = timezone.now()
    steps = []
    if roles.facts.get("learning_session_for_need"):
        steps += [
            NextStep(
                f"Book a place: {offer.title}",
                reverse("learning_session_book", args=[offer.group_id]),
                offer.when
                + (f" and {wording.count(offer.more, 'more date')}, all booked at once" if offer.more else "")
                + f". For {', '.join(offer.topics)}, which you asked to learn about.",
                post=True,
            )
            for offer in sessions_for_needs(user, now)
        ]
    if roles.facts.get("learning_feedback_due"):
        place = places_awaiting_feedback(user, now).first()
        if place is not None:
            steps.append(
                NextStep(
                    f"Did {place.session.group.title} meet your learning need?",
                    reverse("learning_session_feedback", args=[place.pk]),
                    "One tap, if you like. Your answer is counted without your name.",
                )
            )
    if not steps:
        return []
    return [HomePanel(role="Staff", title="Learning sessions", steps=steps, order=26)]
