"""The kinds of notification, and what each needs to be sent and previewed.

The core registers its own kinds here; later apps register theirs the same way (like the
home-page panels in reflect/home.py), so the core never imports the apps built on it and a
new kind needs no migration (the model's ``choices`` is read from this registry).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models


class NotificationKind(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    ACCOUNT_MESSAGE = "account_message", "Account message (address check, password reset)"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly summary of the week ahead"
    REMINDER = "reminder", "Reminder before a session"


SampleContext = Callable[[], dict[str, Any]]


@dataclass(frozen=True)
class KindSpec:
    code: str
    label: str
    # Sample data for the admin's preview page: every kind must be previewable.
    sample_context: SampleContext = field(default=dict)
    # Some messages carry a link that only works from an inbox, or go to an address that has
    # no account yet: those always go by e-mail, whatever the person's preference.
    email_only: bool = False

    @property
    def template_dir(self) -> str:
        return f"emails/{self.code}"


_kinds: dict[str, KindSpec] = {}


def register_kind(spec: KindSpec) -> KindSpec:
    _kinds[spec.code] = spec
    return spec


def kind_spec(code: str) -> KindSpec:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"Unknown notification kind {code!r}: register it with register_kind().") from None


def all_kinds() -> list[KindSpec]:
    return sorted(_kinds.values(), key=lambda spec: spec.code)


def kind_choices() -> list[tuple[str, str]]:
    """The model field's choices (a callable, so that adding a kind needs no migration)."""
    return [(spec.code, spec.label) for spec in all_kinds()]


def _sample_invitation() -> dict[str, Any]:
    return {
        "invited_by": "Carys Jones",
        "target": "Leeds community supervision pool",
        "invitation_kind": "pool_organisation",
        "expires_on": "Saturday 12 December 2026",
        "secret": {"url": "https://reflect.example.org/invitations/sample-token/"},
    }


def _sample_account_message() -> dict[str, Any]:
    return {
        "secret": {
            "subject": "Reflect: Please confirm your e-mail address",
            "text": "Hello,\n\nPlease confirm your address by opening this link:\nhttps://reflect.example.org/accounts/confirm-email/sample/\n",
            "html": "",
        }
    }


def _sample_weekly_summary() -> dict[str, Any]:
    return {
        "week_starting": "Monday 7 December 2026",
        "items": [
            {
                "when": "Tuesday 8 December, 10am",
                "title": "Supervision (1 hour)",
                "url": "https://reflect.example.org/",
            },
            {"when": "Thursday 10 December, 2pm", "title": "Reflective practice group", "url": ""},
        ],
    }


def _sample_reminder() -> dict[str, Any]:
    return {
        "title": "Reflective practice group",
        "when": "Thursday 10 December 2026, 2pm",
        "where": "Online – the link is on your bookings page",
        "url": "https://reflect.example.org/",
    }


register_kind(
    KindSpec(NotificationKind.INVITATION, NotificationKind.INVITATION.label, _sample_invitation, email_only=True)
)
register_kind(
    KindSpec(
        NotificationKind.ACCOUNT_MESSAGE,
        NotificationKind.ACCOUNT_MESSAGE.label,
        _sample_account_message,
        email_only=True,
    )
)
register_kind(KindSpec(NotificationKind.WEEKLY_SUMMARY, NotificationKind.WEEKLY_SUMMARY.label, _sample_weekly_summary))
register_kind(KindSpec(NotificationKind.REMINDER, NotificationKind.REMINDER.label, _sample_reminder))
