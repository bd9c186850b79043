"""reflect/addresses.py: which addresses a user's URL may make our server connect to."""

from __future__ import annotations

import ipaddress

import pytest

from reflect.addresses import embedded_ipv4, is_public_address, parse_address

PRIVATE_IPV4 = [
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
    "10.0.0.1",
    "100.64.0.1",  # shared (carrier-grade NAT)
    "127.0.0.1",
    "169.254.169.254",  # cloud metadata
    "172.16.0.1",
    "192.0.2.1",  # documentation
    "192.168.1.1",
    "198.18.0.1",  # benchmarking
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
]
PUBLIC_IPV4 = ["8.8.8.8", "1.1.1.1", "93.184.216.34"]


def ipv4_int(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def nat64(v4: str) -> str:
    return str(ipaddress.IPv6Address((0x0064FF9B << 96) | ipv4_int(v4)))


def compatible(v4: str) -> str:
    return str(ipaddress.IPv6Address(ipv4_int(v4)))


def mapped(v4: str) -> str:
    return str(ipaddress.IPv6Address((0xFFFF << 32) | ipv4_int(v4)))


def sixtofour(v4: str) -> str:
    return str(ipaddress.IPv6Address((0x2002 << 112) | (ipv4_int(v4) << 80) | 1))


def teredo(client: str, server: str = "65.54.227.120") -> str:
    # 2001:0000:<server>:<flags>:<port ^ 0xffff>:<client ^ 0xffffffff> (RFC 4380)
    return str(
        ipaddress.IPv6Address(
            (0x20010000 << 96)
            | (ipv4_int(server) << 64)
            | (0x8000 << 48)
            | (0xFFFF << 32)
            | (ipv4_int(client) ^ 0xFFFFFFFF)
        )
    )


FORMS = {"nat64": nat64, "compatible": compatible, "mapped": mapped, "6to4": sixtofour, "teredo": teredo}


@pytest.mark.parametrize("address", PRIVATE_IPV4)
def test_private_ipv4_is_not_public(address):
    assert not is_public_address(address)
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC_IPV4)
def test_public_ipv4_is_public(address):
    assert is_public_address(address)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("inner", PRIVATE_IPV4)
def test_an_ipv6_form_embedding_a_private_ipv4_address_is_refused_by_what_it_embeds(form, inner):
    address = FORMS[form](inner)
    assert ipaddress.IPv4Address(inner) in embedded_ipv4(ipaddress.IPv6Address(address))
    assert not is_public_address(address), address


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("inner", PUBLIC_IPV4)
def test_an_ipv6_form_embedding_a_public_ipv4_address_is_public(form, inner):
    assert is_public_address(FORMS[form](inner))


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a00:1",
        "64:ff9b::10.0.0.1",
        "::10.0.0.1",
        "::127.0.0.1",
        "::ffff:192.168.0.1",
        "::ffff:169.254.169.254",
        "2002:a00:1::1",
        "2002:7f00:1::",
        "2002:a9fe:a9fe::1",
        "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
        "2001:0:a00:1:8000:63bf:3fff:fdd2",  # Teredo, server 10.0.0.1
        "64:ff9b:1::8.8.8.8",  # local-use NAT64: a site's own translator
    ],
)
def test_the_special_forms_written_by_hand_are_refused(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    ["::", "::1", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "100::1"],
)
def test_private_ipv6_is_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["2001:4860:4860::8888", "2606:4700:4700::1111", "2a00:1450:4009:80b::200e"])
def test_public_ipv6_is_public(address):
    assert is_public_address(address)
    assert embedded_ipv4(ipaddress.IPv6Address(address)) == []


@pytest.mark.parametrize("text", ["", "localhost", "example.org", "1.2.3", "::g", "[::1]", "10.0.0.1 ", "8.8.8.8/32"])
def test_what_is_not_an_address_is_not_public(text):
    assert parse_address(text) is None
    assert not is_public_address(text)
