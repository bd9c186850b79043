"""Personal access tokens: make one (shown once), revoke it, and find the one a request carries."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from api.models import PersonalAccessToken
from api.scopes import ALL_SCOPES
from reflect.errors import DomainError
from reflect.models import User
from reflect.services.audit import record_audit

TOKEN_PREFIX = "rfl_"  # noqa: S105  (a visible prefix, so a leaked token is recognised; not a secret)
# A person keeps few tokens; a cap keeps the list (and a runaway script) bounded.
MAX_LIVE_TOKENS = 20
EXPIRY_CHOICES_DAYS = (7, 30, 90, 365)
# Writing "last used" on every request would make every call a write: once a minute is enough
# for the account page's list.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@dataclass(frozen=True)
class MadeToken:
    """A new token and its secret, which exists only here: the database keeps its hash."""

    token: PersonalAccessToken
    secret: str


def hash_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def live_tokens_of(user: User, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return PersonalAccessToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()


def make_token(
    user: User, *, name: str, scopes: list[str], days: int, now: datetime.datetime | None = None
) -> MadeToken:
    """Make a token for the person; the secret is returned once and never stored."""
    now = now or timezone.now()
    name = name.strip()
    if not name:
        raise DomainError("Give the token a name, so you can tell it apart later.", field="name")
    unknown = [scope for scope in scopes if scope not in ALL_SCOPES]
    if unknown or not scopes:
        raise DomainError("Choose what the token may do: at least one thing.", field="scopes")
    if days not in EXPIRY_CHOICES_DAYS:
        raise DomainError("Choose when the token stops working.", field="days")
    with transaction.atomic():
        # The person's row keeps two tokens made at once from passing the cap together.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if live_tokens_of(user, now) >= MAX_LIVE_TOKENS:
            raise DomainError(
                f"You already have {MAX_LIVE_TOKENS} tokens that work. Revoke one you no longer use first."
            )
        body = secrets.token_urlsafe(32)
        secret = TOKEN_PREFIX + body
        token = PersonalAccessToken.objects.create(
            user=user,
            name=name[:100],
            token_hash=hash_of(secret),
            prefix=body[:8],
            scopes=sorted(set(scopes), key=ALL_SCOPES.index),
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )
        record_audit("api.token_made", actor=user, target=token, scopes=token.scopes)
    return MadeToken(token=token, secret=secret)


def revoke_token(token: PersonalAccessToken, *, acting_user: User, now: datetime.datetime | None = None) -> None:
    """Stop the token working at once. A second click finds it revoked already."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        if changed:
            record_audit("api.token_revoked", actor=acting_user, target=token)


def token_for(secret: str, now: datetime.datetime | None = None) -> PersonalAccessToken | None:
    """The live token with this secret, its owner joined; None for anything else."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    now = now or timezone.now()
    token = (
        PersonalAccessToken.objects.select_related("user")
        .filter(token_hash=hash_of(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
