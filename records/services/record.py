"""A person's supervision record: their body, their notes, their supervisors' countersignatures."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from records.bodies import bodies, body
from records.entries import BOOKING, Entry, supervisees_entries
from records.models import Countersignature, RecordSettings, ReflectiveNote
from reflect import text_limits, wording
from reflect.errors import DomainError
from reflect.local_time import LONDON
from reflect.models import User
from reflect.services.audit import record_audit

# How far back a supervisor's list to countersign reaches: a year of months.
COUNTERSIGN_MONTHS = 12


def body_of(user: User) -> str:
    found = RecordSettings.objects.filter(user=user).values_list("body", flat=True).first()
    return body(found or "none").code


def choose_body(actor: User, code: str) -> RecordSettings:
    """The person counts their record for ``code``'s rules from now on (their choice alone)."""
    if code not in bodies():
        raise DomainError("Choose one of the professional bodies listed, or none.")
    settings_row, _ = RecordSettings.objects.update_or_create(user=actor, defaults={"body": code})
    return settings_row


def save_note(actor: User, entry: Entry, text: str) -> None:
    """The person's own reflective note on one of their entries (``entry`` from access_entry).
    An empty note removes it."""
    text = text.strip()
    if len(text) > text_limits.DESCRIPTION:
        raise DomainError(f"Keep the note to {wording.count(text_limits.DESCRIPTION, 'character')} or fewer.")
    booking_id, session_id = (entry.pk, None) if entry.kind == BOOKING else (None, entry.pk)
    mine = ReflectiveNote.objects.filter(owner=actor, booking_id=booking_id, group_session_id=session_id)
    if not text:
        mine.delete()
        return
    if not mine.update(text=text):
        ReflectiveNote.objects.create(owner=actor, booking_id=booking_id, group_session_id=session_id, text=text)


def countersign_since(now: datetime.datetime) -> datetime.datetime:
    """The start of the oldest month a supervisor's list shows."""
    first = now.astimezone(LONDON).date().replace(day=1)
    for _ in range(COUNTERSIGN_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return datetime.datetime.combine(first, datetime.time(), tzinfo=LONDON)


def countersign_month(
    actor: User, practitioner_id: int, month: datetime.date, *, now: datetime.datetime | None = None
) -> int:
    """Countersign every session ``actor`` ran with the practitioner in ``month`` that is not
    countersigned yet: one click for the month. Returns how many this click signed; a second
    click, even one sent at the same moment, signs and counts nothing new. Anyone with no such
    session gets a 404, as for a stranger."""
    now = now or timezone.now()
    entries = [
        e
        for person, e in supervisees_entries(actor, since=countersign_since(now))
        if person == practitioner_id and e.month == month and e.signer_id == actor.pk
    ]
    if not entries:
        raise Http404("No such sessions.")
    with transaction.atomic():
        signed = 0
        for e in entries:
            if e.countersigned_at is not None:
                continue
            # The unique constraints make a double click (or two tabs) sign each session once,
            # and only the click whose row went in counts it: both clicks may have read the month
            # unsigned, and counting what they meant to sign counted the month twice (the other
            # click's insert waits for this one to commit, then fails here).
            try:
                with transaction.atomic():
                    Countersignature.objects.create(
                        practitioner_id=practitioner_id,
                        booking_id=e.pk if e.kind == BOOKING else None,
                        group_session_id=None if e.kind == BOOKING else e.pk,
                        signed_by=actor,
                        signed_at=now,
                    )
            except IntegrityError:
                continue
            signed += 1
        if signed:
            record_audit(
                "records.countersigned",
                actor=actor,
                practitioner=practitioner_id,
                month=month.isoformat(),
                sessions=signed,
            )
    return signed
