from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models

from reflect import text_limits
from reflect.enums import Channel

DEFAULT_REMINDER_HOURS = [7 * 24, 24]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


# The fields display_name reads, for a query that loads only what a name needs.
DISPLAY_NAME_FIELDS = ("first_name", "last_name", "email", "erased_at")


class User(AbstractUser):
    """A person. E-mail is the login; roles are held *in* things (memberships, pools)."""

    # Django's documented way to drop an inherited field; the stubs type the attribute as a field.
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    # Set when the person's data was erased (at their request or by the retention rules):
    # the row stays, anonymised, so that what it counted still adds up (reflect/data_protection/).
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Pools are created only by people an administrator has approved as commissioners
    # (docs/security.md): set and cleared through reflect/services/commissioners.py, audited there.
    commissioner_approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    commissioner_approved_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs expect django's username-based UserManager here; the login is the e-mail address.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.erased_at is not None:
            return f"Erased account {self.pk}"
        return self.get_full_name() or self.email

    @property
    def is_approved_commissioner(self) -> bool:
        return self.commissioner_approved_at is not None

    @property
    def is_demo_account(self) -> bool:
        return self.email.endswith("@" + settings.DEMO_EMAIL_DOMAIN)


class MeetingPreference(models.TextChoices):
    """How a person would rather meet for reflective groups: their ranking's default."""

    EITHER = "either", "Either"
    ONLINE = "online", "Online"
    IN_PERSON = "in_person", "In person"


class ContactPreferences(models.Model):
    """How a person wants to hear from Reflect, and when they can take part."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="contact_preferences")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    phone = models.CharField("mobile phone number", max_length=20, blank=True)
    postal_address = models.TextField(blank=True, max_length=text_limits.ADDRESS)
    # Hours before a session at which to remind; an empty list means no reminders.
    reminder_hours = models.JSONField(default=list, blank=True)
    # The report's advice for people with insomnia: let them say "nothing before 11:00".
    no_sessions_before = models.TimeField(null=True, blank=True)
    meets = models.CharField(
        "how you would like to meet for reflective groups",
        max_length=10,
        choices=MeetingPreference.choices,
        default=MeetingPreference.EITHER,
        help_text="Groups that meet this way come first in your list.",
    )
    missed_session_messages = models.BooleanField("gentle message after a missed session", default=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [text_limits.length_constraint("postal_address", text_limits.ADDRESS)]
        verbose_name_plural = "contact preferences"

    def __str__(self) -> str:
        return f"Contact preferences of {self.user}"
