"""Standard Webhooks signatures (docs/webhooks.md, "Checking a delivery").

A secret is ``whsec_`` and 32 random bytes in base64. A delivery is signed with the
``standardwebhooks`` library, the specification's reference implementation, over
``{webhook-id}.{webhook-timestamp}.{body}`` with HMAC-SHA256. While a rotated-out secret is
still in its grace period, the delivery carries a signature for each secret, space-separated,
as the specification allows: a receiver holding either verifies it.
"""

from __future__ import annotations

import base64
import datetime
import secrets
from collections.abc import Sequence

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105  (the specification's prefix, not a secret)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def signature_header(signing_secrets: Sequence[str], message_id: str, sent_at: datetime.datetime, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,<base64>`` for each secret, space-separated."""
    return " ".join(Webhook(secret).sign(message_id, sent_at, body) for secret in signing_secrets)


def delivery_headers(
    signing_secrets: Sequence[str], message_id: str, sent_at: datetime.datetime, body: bytes
) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature_header(signing_secrets, message_id, sent_at, body),
        "Content-Type": "application/json",
    }
