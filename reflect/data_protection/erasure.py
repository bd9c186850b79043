"""Erasing a person: everything that identifies them deleted or anonymised, in one transaction.

Aggregates cannot move: the ledger names no person (docs/architecture.md), and the rows that count
things (places, check-ins, memberships) stay, pointing at an anonymised account. Future
commitments are released first through the apps' own use cases (their erasure steps), so
the people waiting for a place are offered it as usual.
"""

from __future__ import annotations

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reflect.data_protection.registry import Blocker, Erasure, erasure_blockers, erasure_steps
from reflect.errors import DomainError
from reflect.locks import Lock, lock_on
from reflect.models import ContactPreferences, Membership, User
from reflect.queries import current_leads
from reflect.services.audit import record_audit

MIN_PHRASE = 3


def placeholder_email(user_id: int) -> str:
    # The account keeps only its number: an opaque id the audit log can still refer to.
    return f"erased-{user_id}@erased.invalid"


def identifying_strings(user: User) -> tuple[list[str], list[str]]:
    """The phrases (addresses, full name, phone, postal address) and single names to remove."""
    phrases = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    full_name = user.get_full_name().strip()
    phrases.add(full_name)
    preferences = ContactPreferences.objects.filter(user=user).first()
    if preferences is not None:
        phrases.add(preferences.phone.strip())
        address = preferences.postal_address.strip()
        phrases.add(address)
        phrases.add(", ".join(line.strip() for line in address.splitlines() if line.strip()))
    names = {user.first_name.strip(), user.last_name.strip()} - phrases
    keep = lambda values: sorted((v for v in values if len(v) >= MIN_PHRASE), key=len, reverse=True)  # noqa: E731
    return keep(phrases), keep(names)


def last_lead_blockers(user: User) -> list[Blocker]:
    """A lead who is their organisation's only lead hands the role on first (nothing changes)."""
    blockers = []
    led = Membership.objects.leads().filter(user=user).select_related("organisation")
    for membership in led:
        other_leads = current_leads(membership.organisation_id).exclude(pk=membership.pk)
        if not other_leads.exists():
            org = membership.organisation
            blockers.append(
                Blocker(
                    message=(
                        f"You are the only lead of {org.name}. Hand the lead role to a colleague first, "
                        "so that the organisation is not left without one."
                    ),
                    link=reverse("organisation_hand_on_lead", args=[org.pk]),
                    link_text=f"Hand on the lead role at {org.name}",
                )
            )
    return blockers


@transaction.atomic
def erase_account(
    user: User, *, acting_user: User | None, now: datetime.datetime | None = None, reason: str = "request"
) -> bool:
    """Erase ``user``. Returns False when there was nothing to do (already erased).

    ``acting_user`` is the person themselves (their request) or None (the retention task).
    """
    now = now or timezone.now()
    # The user row is the erasure's lock, taken first: a second request (a double click, a
    # second tab) waits here, then finds the account already erased and does nothing.
    users = User.objects.select_for_update() if lock_on(Lock.ERASURE_USER) else User.objects.all()
    locked = users.filter(pk=user.pk).first()
    if locked is None or locked.erased_at is not None:
        return False
    # Lock the memberships of the organisations they lead, in id order (as the organisation
    # services do), so that a colleague stepping down meanwhile cannot leave one leaderless.
    led = Membership.objects.leads().filter(user=locked).values_list("organisation_id", flat=True)
    list(
        Membership.objects.select_for_update()
        .current()
        .filter(organisation_id__in=list(led))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    blockers = erasure_blockers(locked)
    if blockers:
        raise DomainError(" ".join(blocker.message for blocker in blockers))
    phrases, names = identifying_strings(locked)
    erasure = Erasure(
        user=locked, now=now, phrases=phrases, names=names, placeholder_email=placeholder_email(locked.pk)
    )
    for _name, step in erasure_steps():
        step(erasure)
    record_audit(
        "account.erased",
        actor=acting_user,
        target=locked,
        reason=reason,
        **{key: value for key, value in sorted(erasure.counts.items())},
    )
    return True
