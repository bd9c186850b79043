"""How long things are kept (the privacy page states these periods from the same settings).

Each function takes ``now`` so tests can travel in time, and is safe to run twice.
"""

from __future__ import annotations

import datetime
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from reflect.data_protection.erasure import erase_account
from reflect.data_protection.registry import without_active_roles
from reflect.enums import NotificationStatus
from reflect.errors import DomainError
from reflect.models import AuditEvent, Invitation, Membership, Notification, PoolCommissioner, User

logger = logging.getLogger(__name__)

# What an address becomes once it is no longer kept (an e-mail field cannot be empty here).
REMOVED_ADDRESS = "address-removed@retention.invalid"


def departed_people(now: datetime.datetime) -> list[int]:
    """People who left all their organisations more than ``RETENTION_LEFT_MONTHS`` ago, hold no
    other role, and have not signed in since then."""
    cutoff = now - relativedelta(months=settings.RETENTION_LEFT_MONTHS)
    users = (
        User.objects.filter(erased_at__isnull=True, is_staff=False, is_superuser=False)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
        .annotate(
            last_left=Max("memberships__left_at"),
            current=Exists(Membership.objects.current().filter(user=OuterRef("pk"))),
            commissioner=Exists(PoolCommissioner.objects.filter(user=OuterRef("pk"))),
        )
        .filter(last_left__lt=cutoff, current=False, commissioner=False)
    )
    return list(without_active_roles(users).order_by("pk").values_list("pk", flat=True))


def anonymise_people_who_left(*, now: datetime.datetime | None = None) -> int:
    """Erase each departed person in their own transaction; one that cannot be erased yet waits."""
    now = now or timezone.now()
    erased = 0
    for user_id in departed_people(now):
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            continue
        try:
            erased += erase_account(user, acting_user=None, now=now, reason="retention")
        except DomainError as error:
            logger.warning("Retention: account %s not anonymised yet: %s", user_id, error.message)
    return erased


def drop_old_notification_bodies(*, now: datetime.datetime | None = None) -> int:
    """Messages older than ``NOTIFICATION_BODY_RETENTION_DAYS`` keep only the fact of sending.

    Sent ones by when they were sent; failed and cancelled ones (whose links that work as
    keys were never wiped by sending) by when they were due.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NOTIFICATION_BODY_RETENTION_DAYS)
    old = Notification.objects.filter(
        Q(status=NotificationStatus.SENT, sent_at__lt=cutoff)
        | Q(status__in=[NotificationStatus.FAILED, NotificationStatus.CANCELLED], due_at__lt=cutoff)
    )
    with_body = old.exclude(context={}, secret_context={}, ics="")
    return with_body.update(context={}, secret_context={}, ics="", last_error="")


def drop_old_audit_events(*, now: datetime.datetime | None = None) -> int:
    """The audit log follows the retention rules too: rows older than ``AUDIT_RETENTION_MONTHS`` go."""
    now = now or timezone.now()
    cutoff = now - relativedelta(months=settings.AUDIT_RETENTION_MONTHS)
    deleted, _ = AuditEvent.objects.filter(occurred_at__lt=cutoff).delete()
    return deleted


def forget_unanswered_invitations(*, now: datetime.datetime | None = None) -> int:
    """People who were invited and never joined have no account to erase: their address goes
    ``NOTIFICATION_BODY_RETENTION_DAYS`` after the invitation expired or was withdrawn, from the
    invitation and from the message that carried it."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.NOTIFICATION_BODY_RETENTION_DAYS)
    unanswered = (
        Invitation.objects.filter(accepted_at__isnull=True)
        .filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
        .exclude(email=REMOVED_ADDRESS)
    )
    ids = list(unanswered.values_list("pk", flat=True))
    Notification.objects.filter(recipient__isnull=True, about__in=[f"reflect.invitation:{pk}" for pk in ids]).exclude(
        status=NotificationStatus.PENDING
    ).update(recipient_email=REMOVED_ADDRESS)
    return Invitation.objects.filter(pk__in=ids).update(email=REMOVED_ADDRESS)
