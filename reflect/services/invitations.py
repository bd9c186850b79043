"""Invitations by e-mail: an organisation into a pool, a person into an organisation."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reflect.enums import InvitationKind
from reflect.errors import DomainError
from reflect.models import Invitation, Organisation, Pool, User
from reflect.models.invitations import hash_token


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation", args=[token])


def create_invitation(
    kind: InvitationKind,
    email: str,
    *,
    acting_user: User,
    pool: Pool | None = None,
    organisation: Organisation | None = None,
) -> tuple[Invitation, str]:
    """Create the invitation and queue its e-mail after commit. Returns it and its raw token."""
    email = email.strip().lower()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        kind=kind,
        email=email,
        pool=pool,
        organisation=organisation,
        token_hash=hash_token(token),
        invited_by=acting_user,
        expires_at=timezone.now() + datetime.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation_email(invitation_id, token))
    return invitation, token


def send_invitation_email(invitation_id: int, token: str) -> None:
    invitation = (
        Invitation.objects.select_related("pool", "organisation", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None:
        return
    context = {"invitation": invitation, "url": invitation_url(token)}
    subject = render_to_string("emails/invitation/subject.txt", context).strip()
    body = render_to_string("emails/invitation/body.txt", context)
    send_mail(subject, body, None, [invitation.email])


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("pool", "organisation", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def invitation_problem(invitation: Invitation, user: User | None) -> str | None:
    """Why this invitation cannot be used by this person now, in their words; None if it can."""
    if invitation.revoked_at is not None:
        return "This invitation has been withdrawn by the person who sent it."
    if invitation.accepted_at is not None:
        return "This invitation has already been used."
    if invitation.is_expired:
        return f"This invitation expired on {timezone.localtime(invitation.expires_at):%-d %B %Y}."
    if user is not None and user.is_authenticated and user.email.lower() != invitation.email.lower():
        return (
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and sign in (or create an account) with the invited address."
        )
    return None


def claim_invitation(invitation: Invitation, *, acting_user: User) -> Invitation:
    """Lock the invitation and mark it used. Call inside the accepting use case's transaction."""
    # Lock the row so two clicks (or two tabs) cannot both accept it.
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    problem = invitation_problem(locked, acting_user)
    if problem:
        raise DomainError(problem)
    locked.accepted_at = timezone.now()
    locked.accepted_by = acting_user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    return locked


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, acting_user: User) -> None:
    from reflect.services.audit import record_audit

    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise DomainError("This invitation has already been used, so it cannot be withdrawn.")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit("invitation.revoked", actor=acting_user, target=locked)
