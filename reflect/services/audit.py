from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model

from reflect.models import AuditEvent, User


def target_label(obj: Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def record_audit(action: str, *, actor: User | None, target: Model | None = None, **details: Any) -> AuditEvent:
    """Append one audit row. Called inside the use case's transaction, so both land or neither."""
    event = audit_row(action, actor=actor, target=target, **details)
    event.save(force_insert=True)
    return event


def audit_row(action: str, *, actor: User | None, target: Model | None = None, **details: Any) -> AuditEvent:
    """``record_audit``'s row, not yet saved: for a use case that writes it with its other rows
    in one statement (reflect/inserts.py)."""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target=target_label(target) if target is not None else "",
        details=details,
    )


def record_view(action: str, *, actor: User, target: Model | None = None, **details: Any) -> AuditEvent:
    """Who looked at personal data (a register of names) or aggregate data (a pool's figures).

    Pages call it on GET, so it opens its own (short) transaction.
    """
    with transaction.atomic():
        return record_audit(action, actor=actor, target=target, **details)
