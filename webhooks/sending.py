"""One POST to an endpoint, bounded (docs/webhooks.md, "Delivery"; docs/security.md).

The address is checked again and the connection pinned to the address checked
(``webhooks.addresses.pinned_address``); no redirects are followed (a receiver that moves must be
registered again); one deadline (``WEBHOOK_TIMEOUT_SECONDS``) bounds the connection, the TLS
handshake, the request and every read of the answer; at most ``WEBHOOK_RESPONSE_MAX_BYTES`` of
the answer are read, and the rest dropped. Only the status code is kept.
"""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from reflect import wording
from reflect.outgoing import Deadline, PinnedHTTPConnection, PinnedHTTPSConnection
from webhooks.addresses import EndpointAddressError, pinned_address

READ_SIZE = 8 * 1024
USER_AGENT = "Reflect-Webhooks/1 (+https://reflect.example/webhooks-help)"


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no answer (refused, timed out, address not allowed)
    response_ms: int
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        address = pinned_address(url)
    except EndpointAddressError as error:
        return Answer(None, took(), error.message)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = Deadline(timeout)
    connection_class = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    try:
        connection = connection_class(host, port, address=address, deadline=deadline)
        try:
            connection.request(
                "POST", path, body=body, headers=headers | {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            )
            response = connection.getresponse()
            try:
                _drain(response, int(settings.WEBHOOK_RESPONSE_MAX_BYTES))
            finally:
                response.close()
            status = response.status
        finally:
            connection.close()
    except TimeoutError:
        return Answer(None, took(), f"No answer within {wording.seconds(timeout)}.")
    except ssl.SSLError:
        return Answer(None, took(), "The endpoint’s secure connection (certificate) failed.")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, took(), f"The endpoint could not be reached ({error.__class__.__name__}).")
    if 300 <= status < 400:
        return Answer(status, took(), "The endpoint redirected; redirects are not followed.")
    if not 200 <= status < 300:
        return Answer(status, took(), f"The endpoint answered {status}.")
    return Answer(status, took())


def _drain(response: http.client.HTTPResponse, max_bytes: int) -> None:
    """Read the answer up to the cap (each read bounded by the deadline); we keep none of it."""
    read = 0
    while read < max_bytes:
        chunk = response.read1(min(READ_SIZE, max_bytes - read))
        if not chunk:
            return
        read += len(chunk)
