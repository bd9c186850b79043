"""Check-ins at an agreement's review date (issue 5): optional, three ratings on Proctor's
functions of supervision — normative (safety and standards), formative (learning) and
restorative (support) — from the supervisor and the organisation's staff. Commissioners see
only the pool's averages, and only from 8 responses up (docs/architecture.md's threshold)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from reflect import wording
from reflect.disclosure import SMALLEST_SHOWN
from reflect.errors import DomainError
from reflect.models import Membership, Pool, User
from reflect.services.audit import record_audit
from supervision.enums import AgreementStatus
from supervision.models import AgreementCheckIn, SupervisionAgreement

# Below reflect.disclosure's SMALLEST_SHOWN responses (8), a commissioner sees no averages
# (docs/architecture.md: 1 to 7 is "*").


def may_check_in(agreement: SupervisionAgreement, user: User) -> bool:
    if agreement.supervisor.user_id == user.pk:
        return True
    return Membership.objects.filter(
        organisation_id=agreement.organisation_id, user=user, left_at__isnull=True
    ).exists()


def due_check_ins_for(user: User) -> QuerySet[SupervisionAgreement]:
    """Active agreements past their review date that this person has not checked in on yet."""
    answered = AgreementCheckIn.objects.filter(
        agreement=OuterRef("pk"), respondent=user, review_on=OuterRef("review_on")
    )
    member_of = Membership.objects.filter(user=user, left_at__isnull=True).values("organisation_id")
    return (
        SupervisionAgreement.objects.select_related("organisation", "supervisor__user")
        .filter(Q(supervisor__user=user) | Q(organisation_id__in=member_of))
        .filter(status=AgreementStatus.ACTIVE, review_on__lte=timezone.localdate())
        .exclude(Exists(answered))
        .order_by("review_on", "pk")
    )


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
    responses: int
    normative: Decimal | None  # None below SMALLEST_SHOWN responses
    formative: Decimal | None
    restorative: Decimal | None

    @property
    def shown(self) -> bool:
        return self.normative is not None


def _one_place(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pool_check_in_summary(pool: Pool) -> CheckInSummary:
    """The whole pool's averages (1 "not at all" to 4 "very much"); nothing finer."""
    row = AgreementCheckIn.objects.filter(agreement__pool=pool).aggregate(
        responses=Count("pk"), normative=Avg("normative"), formative=Avg("formative"), restorative=Avg("restorative")
    )
    if row["responses"] < SMALLEST_SHOWN:
        return CheckInSummary(row["responses"], None, None, None)
    return CheckInSummary(
        row["responses"], _one_place(row["normative"]), _one_place(row["formative"]), _one_place(row["restorative"])
    )
