"""Fetching a supervisor's private calendar address, safely (issue 6, "Busy calendar import").

The address is typed in by a user, so our server must not become their way into our own
network: only http(s), and every address the host name resolves to must be public — checked
at each connection and pinned (we connect to the address we checked, so a name that changes
its answer between check and connect cannot slip through), and again at every redirect.
``BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS`` lifts the address check for tests against a local server.

Bounded: a timeout on every socket operation and on the whole fetch, a size limit, at most a
few redirects. A conditional GET (If-None-Match / If-Modified-Since) lets an unchanged calendar
answer 304 without a body. Standard library only: one plain GET does not need ``requests``,
and ``http.client`` lets us pin the checked address, which ``urllib`` does not.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

MAX_REDIRECTS = 3
USER_AGENT = "Reflect busy-calendar import (+https://reflect.example/calendar-help)"


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

    ``webcal://`` (what Apple and Outlook often hand out) is the same address over https.
    """
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise UnsafeAddress("The calendar address must start with https:// (or http://).")
    if not parts.hostname:
        raise UnsafeAddress("The calendar address has no host name.")
    if parts.username or parts.password:
        raise UnsafeAddress("The calendar address must not contain a user name or password.")
    try:
        _ = parts.port
    except ValueError as error:
        raise UnsafeAddress("The calendar address has an invalid port.") from error
    if not _private_hosts_allowed():
        host = parts.hostname.rstrip(".").lower()
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
            raise UnsafeAddress("The calendar address points to a private network. Use your calendar’s public address.")
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not _is_public(literal):
            raise UnsafeAddress("The calendar address points to a private network. Use your calendar’s public address.")
    return url


def _private_hosts_allowed() -> bool:
    return bool(getattr(settings, "BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS", False))


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    # is_global is False for private, loopback, link-local (cloud metadata), shared and reserved ranges.
    return address.is_global and not address.is_multicast


def _resolve(host: str, port: int) -> str:
    """One address to connect to, after checking every address the name has."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"The calendar’s server ({host}) could not be found.") from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(f"The calendar’s server ({host}) could not be found.")
    if not _private_hosts_allowed() and not all(_is_public(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        raise UnsafeAddress("The calendar address points to a private network. Use your calendar’s public address.")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def _megabytes(size: int) -> str:
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
    """GET the calendar, conditionally. Raises ``FetchError`` with a message for the supervisor."""
    timeout = timeout if timeout is not None else float(settings.BUSY_CALENDAR_TIMEOUT_SECONDS)
    max_bytes = max_bytes if max_bytes is not None else int(settings.BUSY_CALENDAR_MAX_BYTES)
    deadline = time.monotonic() + timeout * 3
    for _hop in range(MAX_REDIRECTS + 1):
        url = normalise_feed_url(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            connection = connection_class(host, port, address=_resolve(host, port), timeout=timeout)
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
                    raise FetchError(f"The calendar is larger than {_megabytes(max_bytes)}, so it was not imported.")
                body = _read_bounded(response, max_bytes, deadline)
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


def _read_bounded(response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(64 * 1024)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"The calendar is larger than {_megabytes(max_bytes)}, so it was not imported.")
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
