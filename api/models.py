"""Personal access tokens: how a program acts for a person through the API (docs/api.md).

Only a hash of the token is stored: the token itself is shown once, when it is made.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class PersonalAccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # SHA-256 of the whole token, hex: the token has 256 random bits, so a slow hash adds nothing.
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters after "rfl_", so a person can tell their tokens apart in the list.
    prefix = models.CharField(max_length=12)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, now: datetime.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now
