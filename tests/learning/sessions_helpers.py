"""Learning sessions for tests: topics from the catalogue, needs raised, a session published."""

from __future__ import annotations

import datetime

from django.utils import timezone

from learning.models import LearningNeed, LearningTopic
from learning.sessions.services import publish_learning_session
from reflect.models import Pool, User
from scheduling.groups import repeats
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.places import book_place
from scheduling.models import Place, ReflectiveGroup
from tests.factories.groups import NOW, make_facilitator


def topic(slug: str) -> LearningTopic:
    return LearningTopic.objects.get(slug=slug, pool__isnull=True)


def raise_need(person: User, pool: Pool, topic: LearningTopic, **fields: object) -> LearningNeed:
    organisation = person.memberships.current().first().organisation
    return LearningNeed.objects.create(
        person=person, organisation=organisation, pool=pool, topic=topic, raised_at=NOW, **fields
    )


def publish(
    world, topics: list[LearningTopic], *, dates: list[datetime.date] | None = None, now=NOW, **fields
) -> ReflectiveGroup:
    """A learning session of ``world.pool`` on ``dates`` (9 December 2026 by default), 10am for
    two hours, facilitated by Ann Carter, published by its commissioner at ``now``."""
    dates = dates or [datetime.date(2026, 12, 9)]
    if world.pool.ends_on < dates[-1]:
        world.pool.ends_on = dates[-1] + datetime.timedelta(days=30)
        world.pool.save(update_fields=["ends_on"])
    values = {
        "title": "Trauma-informed practice: an introduction",
        "description": "",
        "rrule": repeats.rule_for_dates(dates),
        "first_date": dates[0],
        "last_date": dates[-1],
        "start_time": datetime.time(10, 0),
        "duration_minutes": 120,
        "time_zone": "Europe/London",
        "online_link": "https://meet.example.org/trauma",
        "capacity": 12,
    }
    values.update(fields)
    if "facilitator" not in values and "external_facilitator_name" not in values:
        values["facilitator"] = make_facilitator()
    return publish_learning_session(world.pool, acting_user=world.commissioner, topics=topics, now=now, **values)


def attended_in_the_past(world) -> Place:
    """``world.member``'s place, marked attended, in a learning session on psychosis ten days
    ago (published forty days ago: the pages use the real clock)."""
    past = timezone.localdate() - datetime.timedelta(days=10)
    then = timezone.now() - datetime.timedelta(days=40)
    group = publish(world, [topic("psychosis")], dates=[past], now=then)
    session = group.sessions.get()
    place = book_place(session, acting_user=world.member, now=then)
    mark_place_attendance(place, True, acting_user=group.facilitator.user, now=session.ends_at)
    return place
