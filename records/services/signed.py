"""Signed copies of a supervision record that their holder shares (docs/supervision-records.md).

The copy holds only what the holder chose to show: their name (if they tick it), the body and
its rule version, for each entry its date, minutes, format, the number supervised, the minutes
claimable and whether it was countersigned, and their CPD log (each activity's date, title,
minutes and what they learnt). Never notes, never the supervisors' names, never evidence files.
Everything the PDF prints is in the copy, so everything it prints is signed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from records import signing
from records.models import CpdActivity, SignedRecord
from records.summary import Record
from reflect.models import User
from reflect.services.audit import record_audit

# Version 2 added the CPD log (version 1 copies, without it, still verify: the hash is over what
# was stored).
FORMAT = "reflect-supervision-record/2"


def payload_of(
    record: Record, cpd: list[CpdActivity], *, holder_name: str | None, issued_at: datetime.datetime
) -> dict[str, Any]:
    rule = record.rule
    return {
        "format": FORMAT,
        "issued_at": issued_at.replace(microsecond=0).isoformat(),
        "holder": holder_name,
        "body": {"code": rule.code, "name": rule.short_name, "rule_version": rule.rule_version},
        "entries": [
            {
                "date": e.day.isoformat(),
                "minutes": e.minutes,
                "format": e.format,
                "supervisees": e.supervisees,
                "claimable_minutes": e.claimable,
                "countersigned": e.countersigned_at is not None,
            }
            for e in record.entries
        ],
        "months": [
            {
                "month": m.month.strftime("%Y-%m"),
                "claimable_minutes": m.claimable_minutes,
                "minimum_minutes": m.minimum_minutes,
                "meets_minimum": m.meets_minimum,
            }
            for m in record.months
        ],
        "cpd": [
            {"date": a.done_on.isoformat(), "activity": a.activity, "minutes": a.minutes, "learnt": a.learnt}
            for a in cpd
        ],
    }


def sign_record(actor: User, record: Record, *, share_name: bool, now: datetime.datetime | None = None) -> SignedRecord:
    now = now or timezone.now()
    cpd = list(CpdActivity.objects.filter(owner=actor))
    payload = payload_of(record, cpd, holder_name=actor.display_name if share_name else None, issued_at=now)
    with transaction.atomic():
        signed = SignedRecord.objects.create(
            holder=actor,
            payload=payload,
            digest=signing.digest(payload),
            signature=signing.sign(payload),
            created_at=now,
        )
        record_audit("records.signed_copy_made", actor=actor, target=signed, entries=len(record.entries))
    return signed


def signature_holds(signed: SignedRecord) -> bool:
    """Whether the stored copy is exactly what was signed (its hash and its HMAC)."""
    if signed.erased_at is not None:
        return False
    return signing.digest(signed.payload) == signed.digest and signing.signature_holds(signed.payload, signed.signature)


def dated_lines(payload: dict[str, Any], part: str) -> list[dict[str, Any]]:
    """A part of a signed copy (its ``entries`` or its ``cpd``), each line with its ISO ``date``
    also as a date (``day``) for the page to word; a part the copy predates is empty (version 1
    copies have no CPD log)."""
    return [{**line, "day": datetime.date.fromisoformat(line["date"])} for line in payload.get(part, [])]
