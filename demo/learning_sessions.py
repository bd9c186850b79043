"""Demo data: learning sessions and a community of practice in the demo Leeds pool (issue 23,
part B; docs/learning.md). Built through the services, as people would:

- "Working with complex trauma", a month ago: twelve staff who asked came (the register marks
  them attended, which meets their needs) and said whether it met the need, so the dashboard's
  learning section has answers to show;
- "Risk enablement in practice", in three weeks: published for everyone who asked about risk
  enablement, the demo member of staff among them, whose home page offers "Book a place";
- "Peer support workers' community of practice": monthly, hosted by the demo lead.
"""

from __future__ import annotations

import datetime
from io import TextIOBase
from typing import Any

from django.utils import timezone

from learning.models import LearningNeed, LearningTopic
from learning.sessions.services import give_feedback, publish_learning_session
from reflect.models import Pool, User, current_membership
from scheduling.groups import repeats
from scheduling.groups.attendance import mark_place_attendance
from scheduling.groups.changes import create_group
from scheduling.groups.places import book_place
from scheduling.models import GroupPurpose, ReflectiveGroup
from supervision.models import SupervisorProfile

DEMO_POOL = "Leeds community mental health pool 2026–27"
DEMO_COMMISSIONER = "commissioner@demo.reflect.test"
DEMO_FACILITATOR = "supervisor@demo.reflect.test"
DEMO_STAFF = "staff@demo.reflect.test"
# A member of staff, not a lead: the host sees who comes (scheduling/groups/changes.py).
DEMO_HOST = DEMO_STAFF
PAST_SESSION = "Working with complex trauma"
COMING_SESSION = "Risk enablement in practice"
COMMUNITY = "Peer support workers' community of practice"
# The past session's answers: enough for the dashboard to show a figure beside its "*".
ANSWERS = ["yes"] * 9 + ["partly"] * 2 + ["no"]


def _need(person: User, pool: Pool, topic: LearningTopic, raised_at: datetime.datetime) -> None:
    """Raise the person's need unless they have one open already (the part A demo may have)."""
    if LearningNeed.objects.filter(person=person, topic=topic, met_at__isnull=True, withdrawn_at__isnull=True).exists():
        return
    membership = person.memberships.current().select_related("organisation").first()
    if membership is not None:
        LearningNeed.objects.create(
            person=person, organisation=membership.organisation, pool=pool, topic=topic, raised_at=raised_at
        )


def _session_fields(day: datetime.date, facilitator: SupervisorProfile | None) -> dict[str, Any]:
    return {
        "rrule": repeats.rule_for_dates([day]),
        "first_date": day,
        "last_date": day,
        "start_time": datetime.time(10, 0),
        "duration_minutes": 180,
        "time_zone": "Europe/London",
        "facilitator": facilitator,
        "external_facilitator_name": "" if facilitator else "Dr Ann Carter",
        "location": "Leeds Community Hub, the large room",
        "online_link": "",
        "capacity": 16,
    }


def learning_sessions_demo(stdout: TextIOBase) -> None:
    pool = Pool.objects.filter(name=DEMO_POOL).first()
    commissioner = User.objects.filter(email=DEMO_COMMISSIONER).first()
    staff = User.objects.filter(email=DEMO_STAFF).first()
    if pool is None or commissioner is None or staff is None:
        return
    if ReflectiveGroup.objects.filter(pool=pool, purpose=GroupPurpose.LEARNING).exists():
        return
    facilitator = SupervisorProfile.objects.filter(user__email=DEMO_FACILITATOR, verified_at__isnull=False).first()
    now = timezone.now()
    colleagues = list(
        User.objects.filter(current_membership("memberships", organisation__pool_memberships__pool=pool))
        .exclude(email__in=[DEMO_STAFF, DEMO_HOST])
        .distinct()
        .order_by("pk")[: len(ANSWERS) + 1]
    )
    trauma = LearningTopic.objects.get(slug="working-with-complex-trauma", pool__isnull=True)
    risk = LearningTopic.objects.get(slug="risk-enablement", pool__isnull=True)

    # A month ago: published six weeks ago for the people who asked, then held.
    published = now - datetime.timedelta(days=45)
    for person in colleagues:
        _need(person, pool, trauma, published - datetime.timedelta(days=60))
    past_day = (now - datetime.timedelta(days=30)).date()
    past = publish_learning_session(
        pool,
        acting_user=commissioner,
        topics=[trauma],
        now=published,
        title=PAST_SESSION,
        description="A morning on recognising complex trauma and working with it safely.",
        **_session_fields(past_day, facilitator),
    )
    session = past.sessions.get()
    places = [book_place(session, acting_user=person, now=published) for person in colleagues]
    register_keeper = facilitator.user if facilitator else None
    if register_keeper is not None:
        for index, place in enumerate(places):
            mark_place_attendance(place, index < len(ANSWERS), acting_user=register_keeper, now=session.ends_at)
        for place, answer in zip(places, ANSWERS, strict=False):
            give_feedback(place, answer, acting_user=place.user)

    # In three weeks, for everyone who asked about risk enablement (the demo member of staff too).
    for person in [staff, *colleagues[:5]]:
        _need(person, pool, risk, now - datetime.timedelta(days=20))
    publish_learning_session(
        pool,
        acting_user=commissioner,
        topics=[risk],
        title=COMING_SESSION,
        description="Positive risk-taking with the people you support, and how to record it.",
        **_session_fields((now + datetime.timedelta(days=21)).date(), facilitator),
    )

    host = User.objects.filter(email=DEMO_HOST).first()
    if host is not None and not ReflectiveGroup.objects.filter(pool=pool, title=COMMUNITY).exists():
        create_group(
            pool,
            acting_user=commissioner,
            title=COMMUNITY,
            description="Peer support workers from across the pool share what works, once a month.",
            purpose=GroupPurpose.COMMUNITY,
            host=host,
            rrule="FREQ=MONTHLY;BYDAY=+1TH",
            first_date=timezone.localdate(),
            start_time=datetime.time(12, 30),
            duration_minutes=60,
            time_zone="Europe/London",
            online_link="https://meet.example.org/peer-support-cop",
            capacity=20,
            ground_rules="Share what you are comfortable sharing. What colleagues say stays here.",
            confidentiality_statement="Only that you came is recorded.",
        )
    stdout.write(f"Learning sessions: {PAST_SESSION} (held, with answers), {COMING_SESSION}; {COMMUNITY}.\n")
