"""Demo availability for ``seed_demo``: each verified demo supervisor gets believable hours."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import TextIOBase

from django.conf import settings
from django.utils import timezone

from reflect.models import Membership, PoolOrganisation
from scheduling.models import AvailabilitySettings, DateOverride, SupervisionBooking, WeeklyRule
from scheduling.services.bookings import BookingChoice, book_supervision, free_slots, mark_attendance
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement, SupervisorProfile

# (weekday, start, end) patterns, handed out in turn: part-time clinicians' typical weeks.
PATTERNS = [
    [(1, "10:00", "16:00"), (3, "13:00", "18:00")],
    [(0, "09:00", "12:30"), (2, "09:00", "12:30"), (4, "14:00", "17:00")],
    [(1, "17:00", "20:00"), (5, "09:00", "12:00")],
    [(2, "10:00", "15:00"), (3, "10:00", "15:00")],
]


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


def seed_availability(out: TextIOBase) -> None:
    supervisors = SupervisorProfile.objects.filter(
        verified_at__isnull=False, user__email__endswith=f"@{settings.DEMO_EMAIL_DOMAIN}"
    ).order_by("pk")
    today = timezone.localdate()
    added = 0
    for index, supervisor in enumerate(supervisors):
        if WeeklyRule.objects.filter(supervisor=supervisor).exists():
            continue  # seeded already (seed_demo may run again)
        AvailabilitySettings.objects.update_or_create(
            supervisor=supervisor,
            defaults={
                "session_lengths": [60, 90] if index % 2 == 0 else [50, 90],
                "buffer_minutes": 15,
                "minimum_notice_hours": 24 if index % 3 else 48,
                "horizon_weeks": 8,
                "max_sessions_per_day": 3,
                "max_sessions_per_week": 8,
            },
        )
        pattern = PATTERNS[index % len(PATTERNS)]
        WeeklyRule.objects.bulk_create(
            WeeklyRule(supervisor=supervisor, weekday=weekday, start=_time(start), end=_time(end))
            for weekday, start, end in pattern
        )
        # One away day: the first of their working days two weeks from now.
        first_weekday = pattern[0][0]
        away = today + datetime.timedelta(days=14 + (first_weekday - today.weekday()) % 7)
        DateOverride.objects.get_or_create(
            supervisor=supervisor, date=away, start=None, defaults={"note": "Training day"}
        )
        added += 1
    out.write(f"Availability: weekly hours for {added} supervisor(s).\n")


def seed_supervision_bookings(out: TextIOBase) -> None:
    """The demo organisation agrees supervision with the demo supervisor; the demo staff member
    has one session behind them (attended, so their log has a line) and one to come.

    Everything goes through the services (the past one booked as if from three weeks ago), so
    the ledger and the e-mails are what a real booking makes.
    """

    domain = settings.DEMO_EMAIL_DOMAIN
    supervisor = SupervisorProfile.objects.filter(user__email=f"supervisor@{domain}").first()
    staff = Membership.objects.current().filter(user__email=f"staff@{domain}").first()
    if supervisor is None or staff is None:
        return
    pool_organisation = PoolOrganisation.objects.filter(organisation=staff.organisation).select_related("pool").first()
    if pool_organisation is None or SupervisionAgreement.objects.filter(organisation=staff.organisation).exists():
        return
    AvailabilitySettings.objects.filter(supervisor=supervisor).update(
        online_link="https://meet.example.org/reflect-demo-supervision",
        meeting_place="Room 2, Leeds Community Hub, 1 Example Street, Leeds LS1 1AA",
    )
    now = timezone.now()
    agreement = SupervisionAgreement.objects.create(
        organisation=staff.organisation,
        supervisor=supervisor,
        pool=pool_organisation.pool,
        format="one_to_one",
        hours_per_month=Decimal("3"),
        starts_on=(now - datetime.timedelta(days=60)).date(),
        review_on=(now + datetime.timedelta(days=90)).date(),
        status=AgreementStatus.ACTIVE,
    )
    person = staff.user
    three_weeks_ago = now - datetime.timedelta(weeks=3)
    past = free_slots(agreement, [person], now=three_weeks_ago)
    if past and past[0].end < now:
        slot = past[0]
        session = book_supervision(
            agreement,
            BookingChoice(starts_at=slot.start, minutes=slot.minutes, attendees=[person]),
            acting_user=person,
            now=three_weeks_ago,
        )
        mark_attendance(session, attended=True, acting_user=supervisor.user, now=slot.end)
    coming = free_slots(agreement, [person], now=now + datetime.timedelta(days=7))
    if coming:
        slot = coming[0]
        book_supervision(
            agreement, BookingChoice(starts_at=slot.start, minutes=slot.minutes, attendees=[person]), acting_user=person
        )
    total = SupervisionBooking.objects.filter(agreement=agreement).count()
    out.write(f"Supervision: an agreement for {staff.organisation.name} and {total} booked session(s).\n")
