"""Invitations by e-mail: an organisation into a pool, a person into an organisation."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.enums import InvitationKind
from reflect.errors import DomainError
from reflect.models import Invitation, Notification, Organisation, Pool, User
from reflect.models.invitations import hash_token
from reflect.notification_kinds import NotificationKind
from reflect.services.audit import record_audit
from reflect.services.notifications import cancel_notifications, queue_notification


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
    """Create the invitation and queue its e-mail in the outbox. Returns it and its raw token."""
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
    queue_invitation_email(invitation, token)
    return invitation, token


def queue_invitation_email(invitation: Invitation, token: str) -> Notification:
    """Queue the invitation's e-mail in the outbox, in the caller's transaction.

    The link (which carries the raw token) is kept only until the e-mail has gone.
    """
    target = invitation.pool if invitation.kind == InvitationKind.POOL_ORGANISATION else invitation.organisation
    return queue_notification(
        None,
        NotificationKind.INVITATION,
        email=invitation.email,
        key=f"invitation:{invitation.pk}",
        about=f"reflect.invitation:{invitation.pk}",
        context={
            "invited_by": invitation.invited_by.display_name if invitation.invited_by else "",
            "target": str(target),
            "invitation_kind": invitation.kind,
            "expires_on": wording.date(invitation.expires_at),
        },
        secret_context={"url": invitation_url(token)},
    )


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
        return f"This invitation expired on {wording.date(invitation.expires_at)}."
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
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise DomainError("This invitation has already been used, so it cannot be withdrawn.")
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        # A withdrawn invitation's e-mail, if it has not gone yet, should not go.
        cancel_notifications(f"reflect.invitation:{locked.pk}")
        record_audit("invitation.revoked", actor=acting_user, target=locked)
