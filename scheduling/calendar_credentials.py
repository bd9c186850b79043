"""Calendar app passwords, encrypted at rest (docs/security.md, "Connected calendars").

Fernet (AES-128-CBC with an HMAC-SHA256, from ``cryptography``) under
``CALENDAR_CREDENTIALS_KEY``: a copy of the database alone does not give anyone a supervisor's
calendar. Several keys, comma-separated, rotate: the first encrypts, any of them decrypts.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """The stored password was encrypted under a key we no longer have."""


def _fernet() -> MultiFernet:
    keys = [key.strip() for key in settings.CALENDAR_CREDENTIALS_KEY.split(",") if key.strip()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode("ascii")


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as error:
        raise CredentialsUnreadable from error
