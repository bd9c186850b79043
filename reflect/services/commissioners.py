"""Who may create pools: people an administrator has approved as commissioners.

Creating a pool lets a person set budgets and schedule groups for many organisations, so it is
not open to anyone who signs up (docs/security.md). An administrator approves or revokes a
person in the Django admin; each change is an audit row saying who did it (its actor) and when
(its time). Revoking does not take away the pools a person already commissions: it stops them
creating new ones.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit

NOT_APPROVED = (
    "Only people the platform team has approved as commissioners can create a pool. "
    "To become one, ask the platform team to approve you."
)


def is_approved_commissioner(user: User) -> bool:
    """Read from the database, not the (possibly older) object a request holds."""
    return User.objects.filter(pk=user.pk, commissioner_approved_at__isnull=False).exists()


def _lock(user: User, acting_user: User) -> User:
    if not acting_user.is_staff:
        raise DomainError("Only an administrator can approve commissioners.")
    return User.objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def approve_commissioner(user: User, *, acting_user: User) -> bool:
    """Approve ``user`` to create pools; False (and no audit row) if they already were."""
    user = _lock(user, acting_user)
    if user.erased_at is not None or not user.is_active:
        raise DomainError(f"{user} cannot sign in, so cannot be approved as a commissioner.")
    if user.commissioner_approved_at is not None:
        return False
    user.commissioner_approved_at = timezone.now()
    user.commissioner_approved_by = acting_user
    user.save(update_fields=["commissioner_approved_at", "commissioner_approved_by"])
    record_audit("user.commissioner_approved", actor=acting_user, target=user)
    return True


@transaction.atomic
def revoke_commissioner(user: User, *, acting_user: User) -> bool:
    """Stop ``user`` creating pools; False (and no audit row) if they were not approved."""
    user = _lock(user, acting_user)
    if user.commissioner_approved_at is None:
        return False
    approved_at = user.commissioner_approved_at
    user.commissioner_approved_at = None
    user.commissioner_approved_by = None
    user.save(update_fields=["commissioner_approved_at", "commissioner_approved_by"])
    record_audit("user.commissioner_revoked", actor=acting_user, target=user, approved_at=approved_at.isoformat())
    return True
