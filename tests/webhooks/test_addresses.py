"""An endpoint's address obeys the calendar's rules (reflect/outgoing.py, reflect/addresses.py):
HTTPS only, nothing private, loopback, link-local or embedded in IPv6; checked when registered
and again, pinned, at each delivery."""

from __future__ import annotations

import socket
import time

import pytest
from django.utils import timezone

from tests.factories.webhooks import endpoint_for
from webhooks import services
from webhooks.addresses import PRIVATE_NETWORK, EndpointAddressError, check_endpoint_url, pinned_address
from webhooks.models import DeliveryStatus, WebhookAttempt, WebhookEndpoint

pytestmark = pytest.mark.django_db

HTTPS_ONLY = "The endpoint address must start with https://"

PRIVATE = [
    "https://127.0.0.1/hook",
    "https://127.1/hook",  # an old IPv4 notation for 127.0.0.1
    "https://2130706433/hook",  # and another
    "https://10.0.0.1/hook",
    "https://192.168.1.20/hook",
    "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
    "https://100.64.0.1/hook",  # shared address space
    "https://[::1]/hook",
    "https://[fe80::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",  # IPv4-mapped
    "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "https://[2002:a00:1::1]/hook",  # 6to4 of 10.0.0.1
    "https://localhost/hook",
    "https://printer.local/hook",
    "https://db.internal/hook",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_a_private_address_is_refused(url: str) -> None:
    with pytest.raises(EndpointAddressError) as refusal:
        check_endpoint_url(url)
    assert (refusal.value.message, refusal.value.field) == (PRIVATE_NETWORK, "url")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.org/reflect", HTTPS_ONLY),
        (
            "ftp://hooks.example.org/reflect",
            "Enter the endpoint address as a web address, like https://example.org/webhooks",
        ),
        ("hooks.example.org/reflect", "Enter the endpoint address as a web address, like https://example.org/webhooks"),
        ("https://user:pass@hooks.example.org/", "The endpoint address must not contain a user name or password."),
        (
            "https://hooks.example.org/a b",
            "Enter the endpoint address as a web address, like https://example.org/webhooks",
        ),
        ("https://[::1/hook", "Enter the endpoint address as a web address, like https://example.org/webhooks"),
        (
            "https://hooks.example.org:0/",
            "Enter the endpoint address as a web address, like https://example.org/webhooks",
        ),
        ("https://hooks.example.org/" + "a" * 2000, "The endpoint address must be 2,000 characters or fewer."),
    ],
)
def test_what_is_not_an_https_address_is_refused_in_words(url: str, message: str) -> None:
    with pytest.raises(EndpointAddressError) as refusal:
        check_endpoint_url(url)
    assert refusal.value.message == message


def test_a_public_https_address_is_kept_in_its_normal_form() -> None:
    assert check_endpoint_url(" HTTPS://Hooks.Example.ORG./reflect?x=1 ") == "https://hooks.example.org/reflect?x=1"
    assert check_endpoint_url("https://bücher.example/h") == "https://xn--bcher-kva.example/h"


def test_the_test_setting_lets_plain_http_reach_loopback_and_nothing_else_private(settings) -> None:
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert check_endpoint_url("http://127.0.0.1:8123/hook") == "http://127.0.0.1:8123/hook"
    with pytest.raises(EndpointAddressError):
        check_endpoint_url("http://10.0.0.1/hook")
    with pytest.raises(EndpointAddressError):
        check_endpoint_url("http://hooks.example.org/hook")  # plain http elsewhere: still no


@pytest.mark.parametrize("resolved", ["10.0.0.1", "169.254.169.254", "::ffff:192.168.1.1", "64:ff9b::a00:1"])
def test_a_name_resolving_to_a_private_address_is_refused_before_connecting(monkeypatch, resolved: str) -> None:
    family = socket.AF_INET6 if ":" in resolved else socket.AF_INET
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: [(family, socket.SOCK_STREAM, 6, "", (resolved, 443))]
    )
    with pytest.raises(EndpointAddressError) as refusal:
        pinned_address("https://hooks.example.org/reflect")
    assert refusal.value.message == PRIVATE_NETWORK


def test_registering_checks_the_names_answers_too(world, monkeypatch) -> None:
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
    )
    with pytest.raises(EndpointAddressError):
        services.register_endpoint(
            world.pool, acting_user=world.commissioner, url="https://hooks.example.org/r", events=["place.taken"]
        )
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_turns_private_after_registration_is_not_delivered_to(world, monkeypatch) -> None:
    """DNS rebinding: the address is checked again at delivery, and no connection is made."""
    endpoint, _ = endpoint_for(pool=world.pool, url="https://hooks.example.org/reflect")
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_rebound", event="place.taken", body="{}", due_at=timezone.now()
    )
    connections: list[object] = []
    monkeypatch.setattr(
        socket, "getaddrinfo", lambda *args, **kwargs: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))]
    )
    monkeypatch.setattr(socket, "create_connection", lambda *args, **kwargs: connections.append(args))

    services.deliver_webhooks([delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error, connections) == (DeliveryStatus.PENDING, PRIVATE_NETWORK, [])
    assert WebhookAttempt.objects.get().error == PRIVATE_NETWORK


def test_registering_with_a_resolver_that_hangs_is_refused_in_time(world, hanging_resolver) -> None:
    started = time.monotonic()
    with pytest.raises(EndpointAddressError) as refusal:
        services.register_endpoint(
            world.pool, acting_user=world.commissioner, url="https://hooks.example.org/r", events=["place.taken"]
        )
    assert time.monotonic() - started < 2
    assert refusal.value.message == (
        "Looking up the endpoint’s server (hooks.example.org) took too long. Try again in a few minutes."
    )
    assert not WebhookEndpoint.objects.exists()


def test_a_delivery_with_a_resolver_that_hangs_is_tried_again_later(world, hanging_resolver) -> None:
    endpoint, _ = endpoint_for(pool=world.pool, url="https://hooks.example.org/reflect")
    delivery = services.WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_hung", event="place.taken", body="{}", due_at=timezone.now()
    )
    started = time.monotonic()
    services.deliver_webhooks([delivery.pk])
    assert time.monotonic() - started < 2
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("Looking up the endpoint’s server (hooks.example.org) took too long.")
