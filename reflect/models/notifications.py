from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from reflect.enums import Channel, NotificationStatus
from reflect.notification_kinds import kind_choices


class Notification(models.Model):
    """One message to one person: a row of the outbox (docs/architecture.md, "Nothing lost").

    A use case writes it in its own transaction, so it commits (or rolls back) with the change
    it tells about. Workers deliver it after commit; the status moves pending → sending →
    sent (or failed, or cancelled), and only the worker that moved it to *sending* may send.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The address for someone who has no account yet (an invitation, a password-reset
    # request); otherwise the recipient's address at the time of sending is used.
    recipient_email = models.EmailField(blank=True)
    kind = models.CharField(max_length=40, choices=kind_choices)
    # What it concerns, as "app.model:id" (e.g. "scheduling.booking:12"), so that a change
    # to that thing can find and cancel its pending reminders.
    about = models.CharField(max_length=100, blank=True, db_index=True)
    context = models.JSONField(default=dict, blank=True, help_text="Data the message is rendered from.")
    # Links that work as keys (invitation tokens, password-reset links) are kept only until
    # the message has gone, then wiped: a copy of the database must not be a way in.
    secret_context = models.JSONField(default=dict, blank=True)
    ics = models.TextField("iCalendar attachment", blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True, help_text="The channel used.")
    fallback_reason = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a dispatch task was last published for it: the sweep leaves recently published
    # rows to their task, and picks up rows whose task was lost.
    dispatched_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_reference = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-due_at"]
        indexes = [
            # The sweep's query: due pending rows, and stale sending ones.
            models.Index(fields=["status", "due_at"], name="notification_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(recipient_email=""),
                name="notification_has_an_addressee",
            ),
            models.CheckConstraint(
                condition=~Q(status=NotificationStatus.SENT) | Q(sent_at__isnull=False),
                name="notification_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.addressee} ({self.get_status_display()})"

    @property
    def addressee(self) -> str:
        if self.recipient_id is not None and self.recipient is not None:
            return self.recipient.email
        return self.recipient_email
