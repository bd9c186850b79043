"""Supervisor profiles and their verification (docs/matching.md: only verified supervisors are
listed or matched; a change to registration details needs verifying again)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from reflect.errors import DomainError
from reflect.models import Community, User
from reflect.services.audit import record_audit
from supervision.models import SupervisorProfile
from supervision.registration import normalise, shape_error

# Fields whose change means an administrator must check the registration again.
REGISTRATION_FIELDS = ("professional_body", "registration_number")


def _check_registration(body: str, number: str) -> str:
    error = shape_error(body, number)
    if error:
        raise DomainError(error, field="registration_number")
    return normalise(number)


@transaction.atomic
def save_supervisor_profile(
    *, acting_user: User, communities: Iterable[Community] | None = None, **fields: Any
) -> SupervisorProfile:
    """Create or update the acting user's own profile."""
    fields["registration_number"] = _check_registration(fields["professional_body"], fields["registration_number"])
    profile = SupervisorProfile.objects.select_for_update().filter(user=acting_user).first()
    created = profile is None
    if profile is None:
        profile = SupervisorProfile(user=acting_user)
    registration_changed = not created and any(getattr(profile, name) != fields[name] for name in REGISTRATION_FIELDS)
    previous_photo = profile.photo.name or ""
    for name, value in fields.items():
        setattr(profile, name, value)
    if registration_changed and profile.verified_at is not None:
        profile.verified_at = None
        profile.verified_by = None
        profile.verification_note = ""
    profile.save()
    if previous_photo and previous_photo != profile.photo.name:
        # A replaced or cleared photo is deleted, not left behind (docs/data-protection.md);
        # once committed, so a rolled-back save keeps the photo it still names.
        storage, name = profile.photo.storage, previous_photo
        transaction.on_commit(lambda: storage.delete(name))
    if communities is not None:
        profile.communities.set(communities)
    record_audit(
        "supervisor_profile.created" if created else "supervisor_profile.updated",
        actor=acting_user,
        target=profile,
        verification_cleared=registration_changed,
    )
    return profile


@transaction.atomic
def verify_supervisor(profile: SupervisorProfile, *, acting_user: User, what_was_checked: str) -> SupervisorProfile:
    if not acting_user.is_staff:
        raise DomainError("Only an administrator can verify a registration.")
    if not what_was_checked.strip():
        raise DomainError("Say what was checked, for example the register entry and its date.", field="note")
    profile = SupervisorProfile.objects.select_for_update().get(pk=profile.pk)
    profile.verified_at = timezone.now()
    profile.verified_by = acting_user
    profile.verification_note = what_was_checked.strip()
    profile.save(update_fields=["verified_at", "verified_by", "verification_note"])
    record_audit("supervisor_profile.verified", actor=acting_user, target=profile, note=profile.verification_note)
    return profile
