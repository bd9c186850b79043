"""Check-ins at an agreement's review date (issue 5): optional, three ratings on Proctor's
functions of supervision — normative (safety and standards), formative (learning) and
restorative (support) — from the supervisor and the organisation's staff. Commissioners see
only the pool's averages, and only from 8 responses up (docs/architecture.md's threshold), for
the latest half-year of the pool that has ended (docs/dashboard.md, "Check-ins")."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.disclosure import SMALLEST_SHOWN, disclosed
from reflect.errors import DomainError
from reflect.half_years import HalfYear, pool_half_years
from reflect.local_time import LONDON
from reflect.models import Membership, Notification, Pool, User
from reflect.services.audit import record_audit
from reflect.services.notifications import queue_notification
from supervision.enums import AgreementStatus
from supervision.models import AgreementCheckIn, SupervisionAgreement
from supervision.notification_kinds import SupervisionNotificationKind

# A check-in is announced once, when it falls due; an agreement whose review date passed longer
# ago than this (the worker was down, say) is left to the home page, so the daily run stays
# bounded by the reviews of the last few weeks.
CHECK_IN_NOTICE_DAYS = 28

# Below reflect.disclosure's SMALLEST_SHOWN responses (8), a commissioner sees no averages
# (docs/architecture.md: 1 to 7 is "*").


def may_check_in(agreement: SupervisionAgreement, user: User) -> bool:
    if agreement.supervisor.user_id == user.pk:
        return True
    return Membership.objects.current().filter(organisation_id=agreement.organisation_id, user=user).exists()


def due_check_ins_for(user: User | int, today: datetime.date | None = None) -> QuerySet[SupervisionAgreement]:
    """Active agreements past their review date (on ``today``, else today) that this person has not
    checked in on yet."""
    answered = AgreementCheckIn.objects.filter(
        agreement=OuterRef("pk"), respondent=user, review_on=OuterRef("review_on")
    )
    member_of = Membership.objects.current().filter(user=user).values("organisation_id")
    return (
        SupervisionAgreement.objects.select_related("organisation", "supervisor__user")
        .filter(Q(supervisor__user=user) | Q(organisation_id__in=member_of))
        .filter(status=AgreementStatus.ACTIVE, review_on__lte=today or timezone.localdate())
        .exclude(Exists(answered))
        .order_by("review_on", "pk")
    )


def queue_check_in_reminders(today: datetime.date | None = None) -> list[Notification]:
    """Tell each person whose check-in has fallen due, by the channel they chose (e-mail, text or
    letter: the outbox reads their contact preferences). Once per person and review: the source
    key makes a second run a no-op. The message says only that the check-in is open and links
    to it; answers are never in it (they are not stored with names shown to anyone)."""
    today = today or timezone.localdate()
    due = (
        SupervisionAgreement.objects.select_related("organisation", "supervisor__user")
        .filter(
            status=AgreementStatus.ACTIVE,
            review_on__lte=today,
            review_on__gt=today - datetime.timedelta(days=CHECK_IN_NOTICE_DAYS),
        )
        .order_by("pk")
    )
    agreements = list(due)
    answered = set(
        AgreementCheckIn.objects.filter(agreement__in=agreements).values_list(
            "agreement_id", "respondent_id", "review_on"
        )
    )
    staff: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.select_related("user")
        .current()
        .filter(organisation_id__in={a.organisation_id for a in agreements})
    ):
        staff.setdefault(membership.organisation_id, []).append(membership.user)
    queued: list[Notification] = []
    for agreement in agreements:
        url = settings.SITE_URL + reverse("agreement_check_in", args=[agreement.pk])
        people = [(agreement.supervisor.user, agreement.organisation.name)] + [
            (person, agreement.supervisor.user.display_name) for person in staff.get(agreement.organisation_id, [])
        ]
        for person, other_side in people:
            if (agreement.pk, person.pk, agreement.review_on) in answered or not person.is_active:
                continue
            with transaction.atomic():
                queued.append(
                    queue_notification(
                        person,
                        SupervisionNotificationKind.CHECK_IN_DUE,
                        key=f"supervision-agreement:{agreement.pk}:check-in:{agreement.review_on}:{person.pk}",
                        context={"other_side": other_side, "url": url},
                        about=f"supervision.supervisionagreement:{agreement.pk}",
                    )
                )
    return queued


@transaction.atomic
def record_check_in(
    agreement: SupervisionAgreement, *, acting_user: User, normative: int, formative: int, restorative: int
) -> AgreementCheckIn:
    if not may_check_in(agreement, acting_user):
        raise DomainError("Only the supervisor and the organisation's staff can check in on this agreement.")
    if agreement.review_on > timezone.localdate():
        raise DomainError(f"The check-in opens on the review date, {wording.date(agreement.review_on)}.")
    try:
        # The unique constraint makes a second answer for the same review a clear refusal.
        with transaction.atomic():
            check_in = AgreementCheckIn.objects.create(
                agreement=agreement,
                respondent=acting_user,
                review_on=agreement.review_on,
                by_supervisor=agreement.supervisor.user_id == acting_user.pk,
                normative=normative,
                formative=formative,
                restorative=restorative,
            )
    except IntegrityError:
        raise DomainError("You have already checked in for this review. Thank you.") from None
    record_audit("agreement_check_in.recorded", actor=acting_user, target=agreement)
    return check_in


@dataclass(frozen=True)
class CheckInSummary:
    """The check-ins recorded in the pool's latest half-year that has ended (reflect.half_years):
    a set of answers that no later check-in changes, so two looks cannot be set side by side to
    learn one person's ratings, as a running mean over every check-in so far could."""

    half_year: HalfYear | None  # None while no half-year of the pool has ended
    next_half_year: HalfYear | None  # the next to be shown, when it ends; None after the pool's last
    responses: int
    normative: Decimal | None  # None below SMALLEST_SHOWN responses
    formative: Decimal | None
    restorative: Decimal | None

    @property
    def shown(self) -> bool:
        return self.normative is not None

    @property
    def responses_shown(self) -> int | str:
        """The number of responses, as every count of people is shown (reflect.disclosure)."""
        return disclosed(self.responses)

    @property
    def period_text(self) -> str:
        """Which check-ins the averages are of, and when the next ones appear, in plain words."""
        later = (
            f" The next, for {self.next_half_year.label}, appear on {wording.date(self.next_half_year.end)}."
            if self.next_half_year is not None
            else ""
        )
        if self.half_year is None:
            return f"Check-in averages are shown for each half-year of the pool once it has ended.{later}"
        return f"Check-ins recorded {self.half_year.label}, the latest half-year of the pool to have ended.{later}"


def _one_place(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=LONDON)


def pool_check_in_summary(pool: Pool, *, today: datetime.date | None = None) -> CheckInSummary:
    """The pool's averages (1 "not at all" to 4 "very much") over the check-ins recorded in its
    latest half-year that has ended by ``today``, from 8 of them; nothing finer."""
    today = today or timezone.localdate()
    halves = pool_half_years(pool.starts_on, pool.ends_on)
    ended = [half for half in halves if half.end <= today]
    coming = next((half for half in halves if half.end > today), None)
    if not ended:
        return CheckInSummary(None, coming, 0, None, None, None)
    half = ended[-1]
    row = AgreementCheckIn.objects.filter(
        agreement__pool=pool,
        created_at__gte=_local_midnight(half.first_day),
        created_at__lt=_local_midnight(half.end),
    ).aggregate(
        responses=Count("pk"), normative=Avg("normative"), formative=Avg("formative"), restorative=Avg("restorative")
    )
    if row["responses"] < SMALLEST_SHOWN:
        return CheckInSummary(half, coming, row["responses"], None, None, None)
    return CheckInSummary(
        half,
        coming,
        row["responses"],
        _one_place(row["normative"]),
        _one_place(row["formative"]),
        _one_place(row["restorative"]),
    )
