"""Demo data: reflective groups in the demo Leeds pool: a monthly drop-in, a cohort, and a small
group whose first session is full, with a waitlist and a place held for the demo member of staff."""

from __future__ import annotations

import datetime
from io import TextIOBase

from django.utils import timezone

from reflect.models import Pool, User, current_membership
from scheduling.groups.changes import create_group
from scheduling.groups.places import book_place, cancel_place
from scheduling.groups.waitlist import join_waitlist
from scheduling.models import GroupSession, ReflectiveGroup
from supervision.models import SupervisorProfile

DEMO_POOL = "Leeds community mental health pool 2026–27"
DEMO_COMMISSIONER = "commissioner@demo.reflect.test"
DEMO_FACILITATOR = "supervisor@demo.reflect.test"
DEMO_GROUP = "Leeds reflective practice drop-in"


def reflective_group_demo(stdout: TextIOBase) -> None:

    pool = Pool.objects.filter(name=DEMO_POOL).first()
    commissioner = User.objects.filter(email=DEMO_COMMISSIONER).first()
    if pool is None or commissioner is None or ReflectiveGroup.objects.filter(pool=pool, title=DEMO_GROUP).exists():
        return
    facilitator = SupervisorProfile.objects.filter(user__email=DEMO_FACILITATOR, verified_at__isnull=False).first()
    create_group(
        pool,
        acting_user=commissioner,
        title=DEMO_GROUP,
        description="A monthly, confidential space to talk about the complexities and emotional impact of the work.",
        facilitator=facilitator,
        external_facilitator_name="" if facilitator else "Dr Ann Carter",
        external_facilitator_email="" if facilitator else "ann.carter@example.org",
        rrule="FREQ=MONTHLY;BYDAY=+2WE",
        first_date=max(datetime.date(2026, 9, 1), timezone.localdate()),  # never before today
        start_time=datetime.time(14, 0),
        duration_minutes=120,
        time_zone="Europe/London",
        location="Room 2, Leeds Community Hub",
        capacity=10,
        ground_rules="What is said in the group stays in the group. Speak for yourself. You may pass.",
        confidentiality_statement="Nothing said in the group is written down. Only that you came is recorded, "
        "and only you and the facilitator can see it.",
    )
    stdout.write(f"Reflective group: {DEMO_GROUP} (second Wednesday monthly, 14:00–16:00, 10 places).\n")


DEMO_COHORT = "Tuesday evening Balint cohort"


def reflective_cohort_demo(stdout: TextIOBase) -> None:
    """A cohort group for staff to apply to, and the commissioner to fill (issue 7)."""

    pool = Pool.objects.filter(name=DEMO_POOL).first()
    commissioner = User.objects.filter(email=DEMO_COMMISSIONER).first()
    if pool is None or commissioner is None or ReflectiveGroup.objects.filter(pool=pool, title=DEMO_COHORT).exists():
        return
    create_group(
        pool,
        acting_user=commissioner,
        title=DEMO_COHORT,
        description="A Balint-style group that meets with the same members each month, for a year.",
        kind="cohort",
        external_facilitator_name="Dr Ann Carter",
        external_facilitator_email="ann.carter@example.org",
        rrule="FREQ=MONTHLY;BYDAY=+1TU",
        first_date=max(datetime.date(2026, 9, 1), timezone.localdate()),  # never before today
        start_time=datetime.time(18, 0),
        duration_minutes=90,
        time_zone="Europe/London",
        online_link="https://meet.example.org/leeds-balint",
        capacity=8,
        ground_rules="What is said in the group stays in the group. Speak for yourself. You may pass.",
        confidentiality_statement="Nothing said in the group is written down. Only that you came is recorded, "
        "and only you and the facilitator can see it.",
    )
    stdout.write(f"Cohort group: {DEMO_COHORT} (first Tuesday monthly, 18:00–19:30, online, 8 members).\n")


DEMO_FULL_GROUP = "Leeds evening reflective circle"
DEMO_HELD_FOR = "staff@demo.reflect.test"


def full_session_with_held_offer_demo(stdout: TextIOBase) -> None:
    """A small group whose first session is full, with a waitlist, and a freed place held for
    the demo member of staff, so the waitlist and the held offer can be walked (issue 18).

    Built as people would: others book every place, the demo member of staff and a colleague
    join the waitlist, then one booker cancels and the place is offered to the first waiting.
    The hold lasts ``GROUP_OFFER_HOLD_HOURS`` from seeding; after that it passes on as usual.
    """
    pool = Pool.objects.filter(name=DEMO_POOL).first()
    commissioner = User.objects.filter(email=DEMO_COMMISSIONER).first()
    held_for = User.objects.filter(email=DEMO_HELD_FOR).first()
    if pool is None or commissioner is None or held_for is None:
        return
    if ReflectiveGroup.objects.filter(pool=pool, title=DEMO_FULL_GROUP).exists():
        return
    capacity = 4
    # Staff of the pool's organisations other than the demo logins, in a fixed order.
    others = list(
        User.objects.filter(current_membership("memberships", organisation__pool_memberships__pool=pool, is_lead=False))
        .exclude(email__in=[DEMO_HELD_FOR, "lead@demo.reflect.test"])
        .distinct()
        .order_by("pk")[: capacity + 1]
    )
    if len(others) < capacity + 1:
        return
    group = create_group(
        pool,
        acting_user=commissioner,
        title=DEMO_FULL_GROUP,
        description="A small evening group for people who work days, four places each month.",
        external_facilitator_name="Dr Ann Carter",
        external_facilitator_email="ann.carter@example.org",
        rrule="FREQ=MONTHLY;BYDAY=+3TH",
        first_date=timezone.localdate() + datetime.timedelta(days=1),
        start_time=datetime.time(18, 30),
        duration_minutes=90,
        time_zone="Europe/London",
        location="Room 1, Leeds Community Hub",
        capacity=capacity,
        booking_opens_days=60,
        ground_rules="What is said in the group stays in the group. Speak for yourself. You may pass.",
        confidentiality_statement="Nothing said in the group is written down. Only that you came is recorded, "
        "and only you and the facilitator can see it.",
    )
    session = GroupSession.objects.filter(group=group).order_by("starts_at").first()
    if session is None:
        return
    bookers, colleague = others[:capacity], others[capacity]
    places = [book_place(session, acting_user=person) for person in bookers]
    join_waitlist(session, acting_user=held_for)
    join_waitlist(session, acting_user=colleague)
    cancel_place(places[0], acting_user=bookers[0])  # the freed place is offered to the first waiting
    stdout.write(
        f"Reflective group: {DEMO_FULL_GROUP}, first session full with a waitlist; "
        f"a place is held for {DEMO_HELD_FOR} (see their home page).\n"
    )
