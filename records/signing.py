"""Signing a shared supervision record: a canonical JSON, its SHA-256 and an HMAC over it.

Canonical: keys sorted, no spaces, UTF-8, so the same record always gives the same bytes and
the same hash. The HMAC (SHA-256) is keyed from the site's secret key with a salt of its own,
so it proves the copy was made by this Reflect and not edited since; the verification page
checks it against the current key and any kept in ``SECRET_KEY_FALLBACKS``, so a key rotation
does not break copies already handed out (docs/supervision-records.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "records.signed-record.v1"


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def sign(payload: dict[str, Any], secret: str | None = None) -> str:
    return salted_hmac(SALT, canonical(payload), secret=secret or settings.SECRET_KEY, algorithm="sha256").hexdigest()


def signature_holds(payload: dict[str, Any], signature: str) -> bool:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(sign(payload, key), signature) for key in keys)
