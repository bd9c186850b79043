"""What the core holds about a person: its exporters, its erasure step and the lead blocker.

Imported by ``ReflectConfig.ready``. The apps built on the core register theirs in their own
``data_protection`` modules.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q

from reflect.data_protection.erasure import last_lead_blockers
from reflect.data_protection.registry import (
    Erasure,
    exclude_from_export,
    register_erasure_blocker,
    register_erasure_step,
    register_export,
)
from reflect.enums import NotificationStatus
from reflect.models import (
    AuditEvent,
    ContactPreferences,
    Invitation,
    Membership,
    Notification,
    PoolCommissioner,
    User,
)
from reflect.services.audit import record_audit

# --- Export --------------------------------------------------------------------------------------

register_export(
    User,
    "Your account",
    lambda u: User.objects.filter(pk=u.pk),
    ["email", "first_name", "last_name", "date_joined", "last_login", "is_staff"],
    order=1,
)
register_export(
    ContactPreferences,
    "Your contact preferences",
    lambda u: ContactPreferences.objects.filter(user=u),
    [
        "channel",
        "phone",
        "postal_address",
        "reminder_hours",
        "no_sessions_before",
        "meets",
        "missed_session_messages",
        "time_zone",
        "updated_at",
    ],
    order=2,
)
register_export(
    EmailAddress,
    "Your e-mail addresses",
    lambda u: EmailAddress.objects.filter(user=u).order_by("email"),
    ["email", "verified", "primary"],
    order=3,
)
register_export(
    Authenticator,
    "Your two-factor authentication",
    lambda u: Authenticator.objects.filter(user=u).order_by("pk"),
    ["type", "created_at", "last_used_at"],
    order=4,
)
register_export(
    Membership,
    "Your organisations",
    lambda u: Membership.objects.filter(user=u).select_related("organisation").order_by("joined_at", "pk"),
    [("Organisation", "organisation.name"), ("Lead", "is_lead"), "joined_at", "left_at"],
    order=10,
)
register_export(
    PoolCommissioner,
    "Pools you commission",
    lambda u: PoolCommissioner.objects.filter(user=u).select_related("pool").order_by("added_at", "pk"),
    [("Pool", "pool.name"), "added_at"],
    order=11,
)
register_export(
    Invitation,
    "Invitations to you, and invitations you sent",
    lambda u: Invitation.objects.filter(Q(email__iexact=u.email) | Q(accepted_by=u) | Q(invited_by=u)).select_related(
        "pool", "organisation", "invited_by"
    ),
    [
        "kind",
        "email",
        ("To join", "target_name"),
        ("Invited by", "invited_by.display_name"),
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ],
    order=12,
)
register_export(
    Notification,
    "Messages we sent you, or will send",
    # What the message said (its context), never the links in it that work as keys.
    lambda u: Notification.objects.filter(recipient=u).order_by("due_at", "pk"),
    ["kind", "status", "channel", "due_at", "sent_at", ("Content", "context")],
    order=40,
)
register_export(
    AuditEvent,
    "Changes you made (our audit log)",
    lambda u: AuditEvent.objects.filter(Q(actor=u) | Q(details__user_id=u.pk)).order_by("occurred_at", "pk"),
    ["occurred_at", "action", "target"],
    order=90,
)
register_export(
    LogEntry,
    "Changes you made in the administration pages",
    lambda u: LogEntry.objects.filter(user=u).order_by("action_time", "pk"),
    ["action_time", "object_repr", "change_message"],
    order=91,
)
exclude_from_export(EmailConfirmation, "single-use confirmation keys that work as passwords; they expire within days")


# --- Erasure -------------------------------------------------------------------------------------


register_erasure_blocker(last_lead_blockers)


@register_erasure_step(90, "core: memberships, messages, invitations, sign-in records and the account")
def erase_core(erasure: Erasure) -> None:
    user, now = erasure.user, erasure.now
    emails = [
        user.email,
        *EmailAddress.objects.filter(user=user).values_list("email", flat=True),
    ]
    email_query = Q()
    for email in emails:
        email_query |= Q(recipient_email__iexact=email)

    # Messages to them: unsent ones are cancelled; the fact that one was sent stays, its
    # content (and any address it went to) does not.
    ids = list(Notification.objects.filter(Q(recipient=user) | email_query).values_list("pk", flat=True))
    theirs = Notification.objects.filter(pk__in=ids)
    erasure.count(
        "notifications_cancelled",
        theirs.filter(status=NotificationStatus.PENDING).update(status=NotificationStatus.CANCELLED),
    )
    theirs.exclude(recipient_email="").update(recipient_email=erasure.placeholder_email)
    theirs.update(context={}, secret_context={}, ics="", last_error="", provider_reference="", fallback_reason="")
    # Other people's messages that name them (an invitation they sent, a session they facilitate).
    for notification in Notification.objects.filter(erasure.mentions("context", "secret_context", "ics")):
        notification.context = erasure.scrub_json(notification.context)
        notification.secret_context = erasure.scrub_json(notification.secret_context)
        notification.ics = erasure.scrub_text(notification.ics, whole_words=False)
        notification.save(update_fields=["context", "secret_context", "ics"])

    invitation_query = Q(accepted_by=user)
    for email in emails:
        invitation_query |= Q(email__iexact=email)
    invitations = Invitation.objects.filter(invitation_query)
    invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    invitations.update(email=erasure.placeholder_email)

    for membership in Membership.objects.current().filter(user=user).order_by("pk"):
        membership.left_at = now
        membership.save(update_fields=["left_at"])
        record_audit("membership.left", actor=None, target=membership.organisation, user_id=user.pk)
        erasure.count("memberships_ended")
    for commission in PoolCommissioner.objects.filter(user=user).select_related("pool"):
        record_audit("pool.commissioner_removed", actor=None, target=commission.pool, user_id=user.pk)
        commission.delete()

    ContactPreferences.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    _delete_sessions(user)

    # The administration log and the audit log keep what happened, not who it was about.
    user_type = ContentType.objects.get_for_model(User)
    for entry in LogEntry.objects.filter(
        Q(content_type=user_type, object_id=str(user.pk)) | erasure.mentions("object_repr", "change_message")
    ):
        about_them = entry.content_type_id == user_type.pk and entry.object_id == str(user.pk)
        entry.object_repr = erasure.placeholder_email if about_them else entry.object_repr
        entry.object_repr = erasure.scrub_text(entry.object_repr, whole_words=False)
        entry.change_message = erasure.scrub_text(entry.change_message, whole_words=False)
        entry.save(update_fields=["object_repr", "change_message"])
    for event in AuditEvent.objects.filter(erasure.mentions("details")):
        event.details = erasure.scrub_json(event.details)
        # An append-only table: this is the one rewrite it allows, and only of names.
        AuditEvent.objects.filter(pk=event.pk).update(details=event.details)

    user.email = erasure.placeholder_email
    user.first_name = ""
    user.last_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.commissioner_approved_at = None  # a right, like is_staff: an erased account holds none
    user.last_login = None
    user.erased_at = now
    user.save()
    user.groups.clear()
    user.user_permissions.set(Permission.objects.none())


def _delete_sessions(user: User) -> None:
    # Sessions are signed blobs, not rows that point at the user: read each live one.
    for session in Session.objects.filter(expire_date__gt=user.date_joined).iterator():
        if str(session.get_decoded().get("_auth_user_id", "")) == str(user.pk):
            session.delete()
