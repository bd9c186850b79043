"""Is an IP address on the public internet? One answer for every place a user's URL is fetched.

A user may type an address our server will connect to (a busy calendar today, webhooks later).
It must never be a way into our own network (docs/security.md). Python's ``is_global`` answers
for the address as written, but several IPv6 forms carry an IPv4 address inside them, and a
network that routes them delivers to that IPv4 address:

- IPv4-mapped ``::ffff:a.b.c.d`` (RFC 4291) — the operating system connects to ``a.b.c.d``;
- IPv4-compatible ``::a.b.c.d`` (RFC 4291, deprecated) — the same, on older stacks;
- NAT64 ``64:ff9b::a.b.c.d`` (RFC 6052) — a NAT64 gateway forwards to ``a.b.c.d``; the
  local-use prefix ``64:ff9b:1::/48`` (RFC 8215) is refused outright;
- 6to4 ``2002:AABB:CCDD::/48`` (RFC 3056) — the relay forwards to ``AA.BB.CC.DD``;
- Teredo ``2001:0::/32`` (RFC 4380) — the server's address and the client's (the last 32 bits,
  inverted).

Such an address is judged by what it embeds: public only if every embedded IPv4 address is.
Pure: no Django, no network.
"""

from __future__ import annotations

import ipaddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")


def parse_address(text: str) -> IPAddress | None:
    """The address a resolver or a URL gave, or ``None`` if it is not one.

    A zone (``fe80::1%eth0``) is dropped: it names an interface, not another address.
    """
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address delivers to, by the forms above; empty for none."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _IPV4_COMPATIBLE or address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        server, client = address.teredo
        return [server, client]
    return []


def is_public_address(address: IPAddress | str) -> bool:
    """True only for an address on the public internet, judging embedded IPv4 addresses too.

    ``is_global`` is False for private, loopback, link-local (cloud metadata at
    169.254.169.254), shared (100.64/10), documentation and reserved ranges; multicast is
    refused as well. Anything that is not an address is not public.
    """
    parsed = parse_address(address) if isinstance(address, str) else address
    if parsed is None:
        return False
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed in _NAT64_LOCAL:
            return False
        embedded = embedded_ipv4(parsed)
        if embedded:
            return all(_plainly_public(inner) for inner in embedded)
    return _plainly_public(parsed)


def _plainly_public(address: IPAddress) -> bool:
    return address.is_global and not address.is_multicast
