"""Needs assessments: taking the questionnaire, saving and resuming, completing, claiming."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from reflect.enums import LedgerKind
from reflect.errors import DomainError
from reflect.models import Organisation, PoolOrganisation, User
from reflect.queries import is_current_lead
from reflect.services.audit import record_audit
from reflect.services.ledger import record_ledger_entry
from supervision.models import NeedsAssessment
from supervision.scoring import missing_required, score
from supervision.services.bank import bank_data, current_version, sections_of

RESUME_LINK_VALID_DAYS = 30


class ResumeLinkError(Exception):
    """A resume link that cannot be used; ``reason`` is "unknown" or "expired"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _user_or_none(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def is_lead_of(user: User | None, organisation: Organisation) -> bool:
    user = _user_or_none(user)
    return user is not None and is_current_lead(user, organisation.pk)


@transaction.atomic
def start_assessment(
    *,
    acting_user: User | None,
    organisation: Organisation | None = None,
    organisation_name: str = "",
    about: str = "",
) -> NeedsAssessment:
    """A new assessment on the newest published bank. No account is needed (docs/questionnaire.md)."""
    if organisation is not None and not is_lead_of(acting_user, organisation):
        raise DomainError("Only the organisation's lead can take the questionnaire for it.", field="organisation")
    if organisation is not None:
        organisation_name = organisation_name or organisation.name
        about = about or organisation.description
    return NeedsAssessment.objects.create(
        version=current_version(),
        owner=_user_or_none(acting_user),
        organisation=organisation,
        organisation_name=organisation_name.strip(),
        about=about.strip(),
    )


def section_count(assessment: NeedsAssessment) -> int:
    return assessment.version.sections.count()


@transaction.atomic
def save_section(
    assessment: NeedsAssessment, number: int, answers: Mapping[str, Any], *, advance: bool
) -> NeedsAssessment:
    """Store one section's answers. ``advance`` moves the bookmark on to the next section."""
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_complete:
        raise DomainError("This questionnaire is finished, so its answers can no longer change. Start a new one.")
    sections = sections_of(assessment.version)
    if not 1 <= number <= len(sections):
        raise DomainError("There is no such section.")
    keys = {q.key for q in sections[number - 1].questions.all()}
    merged = {k: v for k, v in assessment.answers.items() if k not in keys}
    merged.update({k: v for k, v in answers.items() if k in keys and v not in (None, "", [])})
    assessment.answers = merged
    if advance:
        assessment.current_section = min(max(assessment.current_section, number + 1), len(sections) + 1)
    assessment.save(update_fields=["answers", "current_section", "updated_at"])
    return assessment


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_resume_link(assessment: NeedsAssessment) -> str:
    """A new private token for coming back later. Only its hash is stored; an older link stops working."""
    token = secrets.token_urlsafe(24)
    NeedsAssessment.objects.filter(pk=assessment.pk).update(
        resume_token_hash=_hash(token), resume_token_issued_at=timezone.now()
    )
    return token


def assessment_for_resume_token(token: str, *, now: datetime.datetime | None = None) -> NeedsAssessment:
    assessment = NeedsAssessment.objects.select_related("version").filter(resume_token_hash=_hash(token)).first()
    if assessment is None:
        raise ResumeLinkError("unknown")
    now = now or timezone.now()
    issued = assessment.resume_token_issued_at
    if issued is None or now - issued > datetime.timedelta(days=RESUME_LINK_VALID_DAYS):
        raise ResumeLinkError("expired")
    return assessment


def _record_completion(assessment: NeedsAssessment) -> None:
    """One ledger count per pool the organisation is in: a count, never a person (docs/architecture.md)."""
    if assessment.organisation_id is None or not assessment.is_complete:
        return
    for place in PoolOrganisation.objects.select_related("pool").filter(organisation_id=assessment.organisation_id):
        record_ledger_entry(
            place.pool,
            LedgerKind.ASSESSMENT_COMPLETED,
            organisation=assessment.organisation,
            quantity=1,
            occurred_at=assessment.completed_at,
            # The source key makes saving to an organisation twice count once.
            source=f"assessment:{assessment.pk}:completed:pool:{place.pool_id}",
            note=assessment.outcome,
        )


@transaction.atomic
def complete_assessment(assessment: NeedsAssessment, *, acting_user: User | None) -> NeedsAssessment:
    """Score the answers and keep the result as a snapshot. Completing twice is harmless."""
    # Lock the row: a double-submitted form scores (and counts in the ledger) once.
    assessment = NeedsAssessment.objects.select_for_update().select_related("version").get(pk=assessment.pk)
    if assessment.is_complete:
        return assessment
    bank = bank_data(assessment.version)
    missing = missing_required(bank, assessment.answers)
    if missing:
        names = "; ".join(f"“{q.text}”" for q in missing)
        raise DomainError(f"Answer these questions first: {names}")
    result = score(bank, assessment.answers)
    assessment.result = result.to_snapshot()
    assessment.outcome = result.outcome
    assessment.completed_at = timezone.now()
    assessment.current_section = len(sections_of(assessment.version)) + 1
    assessment.save(update_fields=["result", "outcome", "completed_at", "current_section", "updated_at"])
    _record_completion(assessment)
    record_audit(
        "needs_assessment.completed", actor=_user_or_none(acting_user), target=assessment, outcome=result.outcome
    )
    return assessment


@transaction.atomic
def save_to_organisation(
    assessment: NeedsAssessment, organisation: Organisation, *, acting_user: User
) -> NeedsAssessment:
    if not is_lead_of(acting_user, organisation):
        raise DomainError("You can save a result only to an organisation you lead.", field="organisation")
    assessment = NeedsAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.organisation_id not in (None, organisation.pk):
        raise DomainError(f"This result is already saved to {assessment.organisation}.", field="organisation")
    assessment.organisation = organisation
    assessment.owner = assessment.owner or acting_user
    if not assessment.organisation_name:
        assessment.organisation_name = organisation.name
    assessment.save(update_fields=["organisation", "owner", "organisation_name", "updated_at"])
    _record_completion(assessment)
    record_audit("needs_assessment.saved_to_organisation", actor=acting_user, target=assessment)
    return assessment


@transaction.atomic
def claim_assessments(user: User, assessment_ids: Iterable[int]) -> int:
    """Give a person the assessments they took signed out in this browser, unless someone already has them."""
    ids = [int(i) for i in assessment_ids]
    if not ids:
        return 0
    # The conditional update is the claim: only rows still without an owner change.
    claimed = NeedsAssessment.objects.filter(pk__in=ids, owner__isnull=True).update(owner=user)
    if claimed:
        record_audit("needs_assessment.claimed", actor=user, count=claimed)
    return claimed


@transaction.atomic
def start_from(assessment: NeedsAssessment, *, acting_user: User | None) -> NeedsAssessment:
    """A new assessment on the current bank, pre-filled with an earlier one's answers (to take it again)."""
    version = current_version()
    new = NeedsAssessment.objects.create(
        version=version,
        owner=_user_or_none(acting_user),
        organisation=assessment.organisation
        if assessment.organisation and is_lead_of(acting_user, assessment.organisation)
        else None,
        organisation_name=assessment.organisation_name,
        about=assessment.about,
        answers=dict(assessment.answers),
    )
    return new
