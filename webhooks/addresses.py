"""An endpoint's address: the same rules as a calendar's (reflect/outgoing.py, reflect/addresses.py).

HTTPS only; no user name or password in it; a host that is, or resolves to, nothing but public
addresses: no private, loopback, link-local or shared ranges, nor an IPv6 address that embeds
one. Checked when the endpoint is registered (the literal and the name's answers) and again at
every delivery, which then connects to the address it checked (DNS pinning).

``WEBHOOK_ALLOW_LOOPBACK`` (tests only) lets plain http reach this machine's loopback
addresses, and nothing else private, so a test can run a real receiver.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from reflect import wording
from reflect.addresses import parse_address
from reflect.errors import DomainError
from reflect.outgoing import HostNotFound, LookupTimedOut, PrivateHost, legacy_ipv4, private_host, resolve_public

MAX_URL_LENGTH = 2000
PRIVATE_NETWORK = "The endpoint address points to a private network. Use an address on the public internet."
NOT_AN_ADDRESS = "Enter the endpoint address as a web address, like https://example.org/webhooks"


class EndpointAddressError(DomainError):
    """The address breaks a rule; the message says which, in the words of the form."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url")


def loopback_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    literal = parse_address(host) or legacy_ipv4(host)
    return literal is not None and literal.is_loopback


def check_endpoint_url(url: str) -> str:
    """The address as we will send to it, or ``EndpointAddressError``. No look-up: the name's
    answers are checked by ``pinned_address`` (at registration and at each delivery)."""
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise EndpointAddressError(
            f"The endpoint address must be {wording.count(MAX_URL_LENGTH, 'character')} or fewer."
        )
    if not url or any(character.isspace() or ord(character) < 32 or ord(character) == 127 for character in url):
        raise EndpointAddressError(NOT_AN_ADDRESS)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # an unclosed [ or a port out of range
        raise EndpointAddressError(NOT_AN_ADDRESS) from error
    scheme = parts.scheme.lower()
    if not parts.hostname or scheme not in {"http", "https"} or port == 0:
        raise EndpointAddressError(NOT_AN_ADDRESS)
    if "@" in parts.netloc:
        raise EndpointAddressError("The endpoint address must not contain a user name or password.")
    host = parts.hostname.rstrip(".").lower()
    if parse_address(host) is None:
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise EndpointAddressError(NOT_AN_ADDRESS) from error
    test_receiver = loopback_allowed() and _is_loopback_host(host)
    if scheme != "https" and not test_receiver:
        raise EndpointAddressError("The endpoint address must start with https://")
    if private_host(host) and not test_receiver:
        raise EndpointAddressError(PRIVATE_NETWORK)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def pinned_address(url: str) -> str:
    """The one address to connect to, after checking every address the host resolves to
    (``EndpointAddressError`` when one is private or there are none)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        return resolve_public(host, port)
    except LookupTimedOut as error:
        raise EndpointAddressError(
            f"Looking up the endpoint’s server ({host}) took too long. Try again in a few minutes."
        ) from error
    except HostNotFound as error:
        raise EndpointAddressError(f"The endpoint’s server ({host}) could not be found.") from error
    except PrivateHost as error:
        if loopback_allowed():
            address = resolve_public(host, port, allow_private=True)
            if ipaddress.ip_address(address.split("%", 1)[0]).is_loopback:
                return address
        raise EndpointAddressError(PRIVATE_NETWORK) from error
