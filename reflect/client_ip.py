"""The client's address, for sign-in rate limits, behind reverse proxies we trust.

Behind a proxy every connection comes from the proxy, so keying rate limits on the connection's
address would put every visitor in one bucket. X-Forwarded-For carries the client's address,
but anyone can send that header: it is believed only when the connection itself comes from a
configured trusted proxy (settings.TRUSTED_PROXIES), and it is read from the right — each proxy
appends the address it saw, so the entries on the left are whatever the client wrote. The first
address from the right that is not one of our proxies is the client (docs/security.md,
docs/deployment.md).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> list[Network]:
    """``["10.0.0.5", "172.16.0.0/12"]`` → networks; ValueError names an entry that is not one."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{entry!r} is not an IP address or network (like 10.0.0.5 or 10.0.0.0/8).") from None
    return networks


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d: the same peer.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == network.version and address in network for network in proxies)


def client_address(remote_addr: str, forwarded_for: str, proxies: Sequence[Network]) -> str | None:
    """The client's address: ``remote_addr`` unless it is a trusted proxy, else the first
    X-Forwarded-For entry from the right that is not a trusted proxy.

    An entry that is not an address stops the walk at the nearest proxy's address: what lies to
    its left was written by someone we do not trust. None when ``remote_addr`` is not an address.
    """
    peer = _address(remote_addr)
    if peer is None:
        return None
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    nearest = peer
    # Several X-Forwarded-For headers arrive joined by commas, in order (WSGI).
    for hop in reversed(forwarded_for.split(",") if forwarded_for.strip() else []):
        address = _address(hop)
        if address is None:
            break
        if not _trusted(address, proxies):
            return str(address)
        nearest = address
    return str(nearest)
