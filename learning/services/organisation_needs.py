"""A lead's record of their organisation's learning needs (docs/learning.md): a topic the
organisation needs, with how many staff if they wish, or one already covered by lived experience
or past training. The report warns against gatekeeping capable staff: a covered topic is a
strength recorded, not a gap."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from learning.enums import CoveredBy
from learning.models import LearningTopic, OrganisationNeed
from learning.queries import topics_open_to_organisation
from reflect.errors import DomainError
from reflect.models import Organisation, User
from reflect.services.audit import record_audit

MOST_STAFF = 100_000


@transaction.atomic
def record_organisation_need(
    organisation: Organisation,
    topic: LearningTopic,
    *,
    covered_by: CoveredBy,
    staff_count: int | None,
    acting_user: User,
    now: datetime.datetime | None = None,
) -> OrganisationNeed:
    """Record (or change) the organisation's line for ``topic``."""
    if not topics_open_to_organisation(organisation).filter(pk=topic.pk).exists():
        raise DomainError("That topic is not offered to your organisation. Choose one from the list.", field="topic")
    if staff_count is not None and not 0 < staff_count <= MOST_STAFF:
        raise DomainError("Number of staff must be a whole number from 1, or left empty.", field="staff_count")
    if covered_by != CoveredBy.NONE:
        staff_count = None  # covered: no one is waiting for it
    record, _ = OrganisationNeed.objects.update_or_create(
        organisation=organisation,
        topic=topic,
        defaults={"covered_by": covered_by, "staff_count": staff_count, "recorded_at": now or timezone.now()},
    )
    record_audit(
        "learning.organisation_need_recorded",
        actor=acting_user,
        target=organisation,
        topic=topic.slug,
        covered_by=str(covered_by),
    )
    return record


@transaction.atomic
def remove_organisation_need(record: OrganisationNeed, *, acting_user: User) -> None:
    record_audit(
        "learning.organisation_need_removed", actor=acting_user, target=record.organisation, topic=record.topic.slug
    )
    record.delete()
