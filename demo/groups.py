"""Demo data: a monthly drop-in reflective group in the demo Leeds pool."""

from __future__ import annotations

import datetime
from io import TextIOBase

from django.utils import timezone

from reflect.models import Pool, User
from scheduling.groups.changes import create_group
from scheduling.models import ReflectiveGroup
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
