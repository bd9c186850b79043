"""Who a request acts for: a personal access token (``Authorization: Bearer rfl_…``) or the
browser's session, with Django's CSRF check on every unsafe method (docs/api.md, "Signing in")."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api.models import PersonalAccessToken
from api.services.tokens import token_for
from reflect.access import has_two_factor, is_exempt_from_two_factor
from reflect.models import User

REFUSED = "This token does not work: it is wrong, has expired or was revoked. Make a new one on your account page."


class PersonalTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, PersonalAccessToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != b"bearer":
            return None
        if len(words) != 2:
            raise AuthenticationFailed(REFUSED)
        token = token_for(words[1].decode("ascii", errors="replace"))
        if token is None:
            raise AuthenticationFailed(REFUSED)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="Reflect API"'


class BrowserSessionAuthentication(SessionAuthentication):
    """The signed-in browser, CSRF-checked (DRF's SessionAuthentication). A token is made only
    with two-factor authentication (api/views/tokens.py); the session reaches the API on the same
    terms, so the API is never a way round two-factor."""

    def authenticate(self, request: Request) -> Any:
        found = super().authenticate(request)
        if found is None:
            return None
        user = found[0]
        if not (has_two_factor(user) or is_exempt_from_two_factor(user)):
            return None
        return found
