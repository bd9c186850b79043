"""Fetching a supervisor's private calendar address, safely (issue 6, "Busy calendar import").

The address is typed in by a user, so our server must not become their way into our own
network: only http(s), and every address the host name resolves to must be public
(``reflect.addresses``, which also judges IPv6 forms that embed an IPv4 address) — checked at
each connection and pinned (we connect to the address we checked, so a name that changes its
answer between check and connect cannot slip through), and again at every redirect.
``BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS`` lifts the address check for tests against a local server.

Bounded (docs/security.md, "Calendars"): one total deadline
(``BUSY_CALENDAR_TIMEOUT_SECONDS``) for the whole fetch — every redirect, the connection, the
TLS handshake, the headers and every read of the body. Each read from the socket first sets the
socket's timeout to the time left, and is refused once none is left, so a server that trickles
a byte at a time is cut off at the deadline, not merely between large reads. The body is read
in small pieces up to ``BUSY_CALENDAR_MAX_BYTES``; at most a few redirects. A conditional GET
(If-None-Match / If-Modified-Since) lets an unchanged calendar answer 304 without a body.

Fetching runs only in a worker (or the demo's refresh loop), never inside a web request: a
page only queues a refresh (scheduling/services/busy_calendar.py). Standard library only: one
plain GET does not need ``requests``. The address checks and the pinned, deadline-bound
connections are the core's (``reflect/outgoing.py``), shared with webhooks.
"""

from __future__ import annotations

import http.client
import re
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from django.conf import settings

from reflect.addresses import parse_address
from reflect.outgoing import (
    Deadline,
    HostNotFound,
    LookupTimedOut,
    PinnedHTTPConnection,
    PinnedHTTPSConnection,
    PrivateHost,
    private_host,
    resolve_public,
)

MAX_REDIRECTS = 3
MAX_URL_LENGTH = 2000
# Small reads: the deadline is checked before each one (the socket's own timeout would restart
# with every byte a slow server sends).
READ_SIZE = 8 * 1024
USER_AGENT = "Reflect busy-calendar import (+https://reflect.example/calendar-help)"
PRIVATE_NETWORK = "The calendar address points to a private network. Use your calendar’s public address."
NOT_AN_ADDRESS = "The calendar address is not a valid web address. Copy it again from your calendar."
# An IPv6 literal in brackets, and perhaps a port: the only place a bracket belongs in a host.
_BRACKETED = re.compile(r"\[[0-9A-Za-z:.%_-]+\](:[0-9]*)?")
# What a path or query may hold as typed; anything else (non-ASCII letters) is percent-encoded.
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"


class FetchError(Exception):
    """The fetch failed; ``message`` says why in words the supervisor can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsafeAddress(FetchError):
    pass


@dataclass(frozen=True)
class FetchResult:
    changed: bool  # False: the server answered 304 Not Modified
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def normalise_feed_url(url: str) -> str:
    """The address as we will fetch it, or ``UnsafeAddress`` saying what is wrong with it.

    ``webcal://`` (what Apple and Outlook often hand out) is the same address over https. A
    host name in another script (IDN) is fetched by its ASCII (punycode) form, and letters
    outside ASCII in the path are percent-encoded, as a browser would.
    """
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeAddress(f"The calendar address is too long (at most {MAX_URL_LENGTH:,} characters).")
    if any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in url):
        raise UnsafeAddress("The calendar address must not contain spaces. Copy it again from your calendar.")
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # an unclosed [ or a port that is not a number from 0 to 65535
        raise UnsafeAddress(NOT_AN_ADDRESS) from error
    if parts.scheme.lower() not in {"http", "https"}:
        raise UnsafeAddress("The calendar address must start with https:// (or http://).")
    if not parts.hostname:
        raise UnsafeAddress("The calendar address has no host name.")
    if ("[" in parts.netloc or "]" in parts.netloc) and not _BRACKETED.fullmatch(parts.netloc.rsplit("@", 1)[-1]):
        raise UnsafeAddress(NOT_AN_ADDRESS)
    if "@" in parts.netloc:
        raise UnsafeAddress("The calendar address must not contain a user name or password.")
    if port == 0:
        raise UnsafeAddress(NOT_AN_ADDRESS)
    host = parts.hostname.rstrip(".").lower()
    if parse_address(host) is None:
        try:
            host = host.encode("idna").decode("ascii")
            host.encode("ascii").decode("idna")  # a punycode label (xn--) must decode too
        except UnicodeError as error:
            raise UnsafeAddress(NOT_AN_ADDRESS) from error
        if not host:
            raise UnsafeAddress("The calendar address has no host name.")
    if not _private_hosts_allowed() and private_host(host):
        raise UnsafeAddress(PRIVATE_NETWORK)
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{port}"
    normal = urlunsplit(
        (parts.scheme.lower(), netloc, quote(parts.path, safe=_URL_SAFE), quote(parts.query, safe=_URL_SAFE), "")
    )
    if len(normal) > MAX_URL_LENGTH:  # percent-encoding lengthens it; the column holds 2,000
        raise UnsafeAddress(f"The calendar address is too long (at most {MAX_URL_LENGTH:,} characters).")
    return normal


def _private_hosts_allowed() -> bool:
    return bool(getattr(settings, "BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS", False))


def _resolve(host: str, port: int) -> str:
    """One address to connect to, after checking every address the name has."""
    try:
        return resolve_public(host, port, allow_private=_private_hosts_allowed())
    except LookupTimedOut as error:  # not "could not be found": it may answer next time
        raise FetchError(f"Looking up the calendar’s server ({host}) took too long. Try again later.") from error
    except HostNotFound as error:
        raise FetchError(f"The calendar’s server ({host}) could not be found.") from error
    except PrivateHost as error:
        raise UnsafeAddress(PRIVATE_NETWORK) from error


def megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


def fetch_calendar(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float | None = None,
    max_bytes: int | None = None,
) -> FetchResult:
    """GET the calendar, conditionally, all within ``timeout`` seconds in total.

    Raises ``FetchError`` with a message for the supervisor.
    """
    timeout = timeout if timeout is not None else float(settings.BUSY_CALENDAR_TIMEOUT_SECONDS)
    max_bytes = max_bytes if max_bytes is not None else int(settings.BUSY_CALENDAR_MAX_BYTES)
    deadline = Deadline(timeout)
    for _hop in range(MAX_REDIRECTS + 1):
        url = normalise_feed_url(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection_class = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            address = _resolve(host, port)
            connection = connection_class(host, port, address=address, deadline=deadline)
            response = None
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                status = response.status
                if status in {301, 302, 303, 307, 308}:
                    location = response.getheader("Location")
                    if not location:
                        raise FetchError(f"The calendar address redirected ({status}) without saying where to.")
                    url = urljoin(url, location)
                    continue
                if status == 304:
                    return FetchResult(changed=False, etag=etag, last_modified=last_modified)
                if status != 200:
                    raise FetchError(_status_message(status, response.reason))
                declared = response.getheader("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(f"The calendar is larger than {megabytes(max_bytes)}, so it was not imported.")
                body = _read_bounded(response, max_bytes)
                return FetchResult(
                    changed=True,
                    body=body,
                    etag=response.getheader("ETag") or "",
                    last_modified=response.getheader("Last-Modified") or "",
                )
            finally:
                # An HTTP/1.0 answer hands the socket to the response: close both, always.
                if response is not None:
                    response.close()
                connection.close()
        except FetchError:
            raise
        except TimeoutError as error:
            raise FetchError(f"The calendar’s server did not answer within {timeout:g} seconds.") from error
        except ssl.SSLError as error:
            raise FetchError("The calendar’s server has a secure-connection (certificate) problem.") from error
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"The calendar’s server could not be reached ({error.__class__.__name__}).") from error
    raise FetchError(f"The calendar address redirected more than {MAX_REDIRECTS} times.")


def _read_bounded(response: http.client.HTTPResponse, max_bytes: int) -> bytes:
    """The body, in small reads (each bounded by the deadline on the socket), up to ``max_bytes``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read1(READ_SIZE)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"The calendar is larger than {megabytes(max_bytes)}, so it was not imported.")
        chunks.append(chunk)


def _status_message(status: int, reason: str) -> str:
    if status == 404 or status == 410:
        return (
            f"The calendar address was not found ({status}). It may have been reset: "
            "copy the private address from your calendar again."
        )
    if status in {401, 403}:
        return f"The calendar’s server refused access ({status}). Check that you copied the private (secret) address."
    if status >= 500:
        return f"The calendar’s server had an error ({status} {reason}). We will try again."
    return f"The calendar’s server answered {status} {reason}."


def check_connection_address(url: str) -> str:
    """A connected calendar's address as we will use it, or ``UnsafeAddress``.

    The same rules as a feed address, and https only: the request carries the supervisor's
    password. (Plain http is allowed only where private hosts are, that is in tests.)
    """
    url = normalise_feed_url(url)
    if not url.startswith("https://") and not _private_hosts_allowed():
        raise UnsafeAddress(
            "The calendar address must start with https://, so that your password is never sent in clear."
        )
    return url


def check_public_host(url: str) -> str:
    """The address to connect to, after checking that every address the host resolves to is
    public (``UnsafeAddress`` if not); before each sync, which then connects only to it."""
    parts = urlsplit(url)
    return _resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
