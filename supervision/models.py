from __future__ import annotations

from django.conf import settings
from django.db import models


class SupervisorProfile(models.Model):
    """A clinician who offers supervision or facilitation. Extended by the matching work."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervisor_profile")
    profession = models.CharField(max_length=120, help_text="For example, counselling psychologist.")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.profession})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
