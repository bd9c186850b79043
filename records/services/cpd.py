"""A person's CPD log: activities with hours, what was learnt and an optional evidence image."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from records.models import CpdActivity
from reflect.models import User


def add_cpd_activity(
    actor: User,
    *,
    activity: str,
    done_on: datetime.date,
    hours: Decimal,
    learnt: str,
    evidence: ContentFile[bytes] | None = None,
) -> CpdActivity:
    """``evidence`` is already re-encoded by the form (supervision/services/photos.py rules)."""
    row = CpdActivity(owner=actor, activity=activity, done_on=done_on, hours=hours, learnt=learnt)
    if evidence is not None:
        row.evidence.save(evidence.name or "evidence.jpg", evidence, save=False)
    row.save()
    return row


def delete_cpd_activity(actor: User, row: CpdActivity) -> None:
    """``row`` comes from access_cpd_activity, so it is the actor's own; its file goes with it."""
    with transaction.atomic():
        name = row.evidence.name
        row.delete()
        if name:
            storage = row.evidence.storage
            transaction.on_commit(lambda: storage.delete(name))
