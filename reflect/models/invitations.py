from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from reflect.enums import InvitationKind
from reflect.models.organisations import Organisation
from reflect.models.pools import Pool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mailed invitation: an organisation into a pool, or a person into an organisation.

    Only a hash of the token is stored, so a copy of the database cannot be used to join.
    """

    kind = models.CharField(max_length=30, choices=InvitationKind.choices)
    email = models.EmailField()
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=InvitationKind.POOL_ORGANISATION, pool__isnull=False)
                    | Q(kind=InvitationKind.ORGANISATION_STAFF, organisation__isnull=False)
                ),
                name="invitation_has_its_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} ({self.get_kind_display()})"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired

    @property
    def target_name(self) -> str:
        target = self.pool if self.kind == InvitationKind.POOL_ORGANISATION else self.organisation
        return str(target)
