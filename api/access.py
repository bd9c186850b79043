"""Who may see a personal access token: its owner. Anything else is a 404 (docs/architecture.md)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from api.models import PersonalAccessToken
from reflect.models import User


def access_own_token(user: User, token_id: int) -> PersonalAccessToken:
    return get_object_or_404(PersonalAccessToken, pk=token_id, user=user)
