"""What a supervisor may type as their busy calendar's address (docs/security.md, "Calendars").

Every refusal is a form error in words that changes nothing; never a server error.
"""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

from scheduling import calendar_fetch
from scheduling.calendar_fetch import FetchError, UnsafeAddress, fetch_calendar, normalise_feed_url
from scheduling.models import BusyCalendarFeed

pytestmark = pytest.mark.django_db

PRIVATE_NETWORK = "The calendar address points to a private network. Use your calendar’s public address."
NOT_AN_ADDRESS = "The calendar address is not a valid web address. Copy it again from your calendar."
SCHEME = "The calendar address must start with https:// (or http://)."

# IPv6 forms that carry a private IPv4 address, which the network delivers to (reflect/addresses.py).
EMBEDDING_PRIVATE_IPV4 = [
    "http://[64:ff9b::a00:1]/a.ics",  # NAT64, 10.0.0.1
    "http://[64:ff9b::169.254.169.254]/latest/",  # NAT64, cloud metadata
    "http://[::10.0.0.1]/a.ics",  # IPv4-compatible
    "http://[::127.0.0.1]/a.ics",
    "http://[::ffff:10.0.0.1]/a.ics",  # IPv4-mapped
    "http://[2002:a00:1::1]/a.ics",  # 6to4, 10.0.0.1
    "http://[2002:7f00:1::]/a.ics",  # 6to4, 127.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/a.ics",  # Teredo, client 10.0.0.1
]


@pytest.mark.parametrize("url", EMBEDDING_PRIVATE_IPV4)
def test_an_ipv6_address_embedding_a_private_ipv4_address_is_refused(url):
    with pytest.raises(UnsafeAddress) as refusal:
        normalise_feed_url(url)
    assert refusal.value.message == PRIVATE_NETWORK


@pytest.mark.parametrize("resolved", ["64:ff9b::a00:1", "::ffff:192.168.1.1", "2002:c0a8:101::1", "::10.0.0.1"])
def test_a_host_name_resolving_to_such_an_address_is_refused_before_connecting(monkeypatch, resolved):
    connections = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", (resolved, 80, 0, 0))],
    )
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: connections.append(args))
    with pytest.raises(UnsafeAddress) as refusal:
        fetch_calendar("http://calendar.example.org/a.ics")
    assert (refusal.value.message, connections) == (PRIVATE_NETWORK, [])


def test_a_resolver_that_hangs_is_said_to_be_slow_not_missing(hanging_resolver):
    """The look-up is bounded (reflect/outgoing.py): a resolver that does not answer in time is
    reported as such, in words, not as a server that does not exist."""
    with pytest.raises(FetchError) as refusal:
        fetch_calendar("https://calendar.example.org/a.ics")
    assert refusal.value.message == (
        "Looking up the calendar’s server (calendar.example.org) took too long. Try again later."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("calendar.example.org/a.ics", SCHEME),  # no scheme
        ("//calendar.example.org/a.ics", SCHEME),
        ("ftp://calendar.example.org/a.ics", SCHEME),
        ("javascript:alert(1)", SCHEME),
        ("http://[::1", NOT_AN_ADDRESS),  # an unclosed bracket
        ("http://[::1]]/a.ics", NOT_AN_ADDRESS),
        ("http://[not-an-address]/a.ics", NOT_AN_ADDRESS),
        ("http://user@calendar.example.org/a.ics", "The calendar address must not contain a user name or password."),
        ("http://@calendar.example.org/a.ics", "The calendar address must not contain a user name or password."),
        ("http://calendar.example.org:99999999999999999999/a.ics", NOT_AN_ADDRESS),  # huge port
        ("http://calendar.example.org:65536/a.ics", NOT_AN_ADDRESS),
        ("http://calendar.example.org:0/a.ics", NOT_AN_ADDRESS),
        ("http://calendar.example.org:-1/a.ics", NOT_AN_ADDRESS),
        ("http://calendar.example.org:http/a.ics", NOT_AN_ADDRESS),
        (
            "http://calendar .example.org/a.ics",
            "The calendar address must not contain spaces. Copy it again from your calendar.",
        ),
        (
            "http://calendar.example.org/my calendar.ics",
            "The calendar address must not contain spaces. Copy it again from your calendar.",
        ),
        (
            "http://calendar.example.org/a\u0000.ics",
            "The calendar address must not contain spaces. Copy it again from your calendar.",
        ),
        (
            "http://calendar.example.org/a\r\nX-Injected: 1",
            "The calendar address must not contain spaces. Copy it again from your calendar.",
        ),
        ("http://xn--/a.ics", NOT_AN_ADDRESS),  # an IDN label that does not decode
        ("http://" + "a" * 64 + ".example.org/a.ics", NOT_AN_ADDRESS),  # a label over 63 characters
        ("http://./a.ics", "The calendar address has no host name."),
        ("http://:80/a.ics", "The calendar address has no host name."),
        ("http://127.1/a.ics", PRIVATE_NETWORK),  # IPv4 in the old short notation
        ("http://2130706433/a.ics", PRIVATE_NETWORK),  # 127.0.0.1 as one number
        ("http://0x7f000001/a.ics", PRIVATE_NETWORK),
        ("http://[fe80::1%25eth0]/a.ics", PRIVATE_NETWORK),  # link-local with a zone
        (
            "https://calendar.example.org/" + "a" * 10_000,
            "The calendar address is too long (at most 2,000 characters).",
        ),
        ("https://calendar.example.org/" + "é" * 900, "The calendar address is too long (at most 2,000 characters)."),
    ],
)
def test_a_malformed_address_is_refused_in_words(url, message):
    with pytest.raises(UnsafeAddress) as refusal:
        normalise_feed_url(url)
    assert refusal.value.message == message


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        ("https://bücher.example/kalender.ics", "https://xn--bcher-kva.example/kalender.ics"),  # IDN
        ("https://calendar.example.org/café.ics?name=Zoë", "https://calendar.example.org/caf%C3%A9.ics?name=Zo%C3%AB"),
        ("HTTPS://Calendar.Example.ORG/Private/A.ics", "https://calendar.example.org/Private/A.ics"),
        ("https://calendar.example.org:8443/a.ics#events", "https://calendar.example.org:8443/a.ics"),
        ("https://[2001:4860:4860::8888]/a.ics", "https://[2001:4860:4860::8888]/a.ics"),
        ("webcal://calendar.example.org/a.ics", "https://calendar.example.org/a.ics"),
    ],
)
def test_a_good_address_is_fetched_in_its_ascii_form(url, fetched):
    assert normalise_feed_url(url) == fetched


MALFORMED_ON_THE_FORM = [
    ("calendar.example.org/a.ics", SCHEME),
    ("ftp://calendar.example.org/a.ics", SCHEME),
    ("http://[::1", NOT_AN_ADDRESS),
    ("http://user@calendar.example.org/a.ics", "The calendar address must not contain a user name or password."),
    ("http://calendar.example.org:99999999999999999999/a.ics", NOT_AN_ADDRESS),
    ("http://xn--/a.ics", NOT_AN_ADDRESS),
    ("http://bücher.example:99999/a.ics", NOT_AN_ADDRESS),
    (
        "http://calendar.example.org/my calendar.ics",
        "The calendar address must not contain spaces. Copy it again from your calendar.",
    ),
    ("https://calendar.example.org/" + "a" * 10_000, "Enter the address in 2,000 characters or fewer."),
    ("https://calendar.example.org/" + "é" * 900, "The calendar address is too long (at most 2,000 characters)."),
    ("http://[64:ff9b::a00:1]/a.ics", PRIVATE_NETWORK),
    ("   ", "Enter the private address of your calendar."),
]


@pytest.mark.parametrize(("url", "message"), MALFORMED_ON_THE_FORM)
def test_the_form_answers_a_malformed_address_with_an_error_in_words(client, supervisor, url, message):
    client.force_login(supervisor.user)
    response = client.post(reverse("availability_busy_calendar"), {"url": url})
    assert response.status_code == 200
    assert response.context["form"].errors == {"url": [message]}
    assert BusyCalendarFeed.objects.count() == 0


def test_the_fetch_checks_the_address_again_at_each_redirect(monkeypatch):
    # normalise_feed_url runs on every hop: a redirect to a private form is refused by it.
    assert calendar_fetch.MAX_REDIRECTS == 3
    with pytest.raises(UnsafeAddress):
        fetch_calendar("http://[::ffff:127.0.0.1]/a.ics")
