"""Sign-in rate limits behind a reverse proxy: X-Forwarded-For is believed only from a trusted
proxy, and read from the right past our own proxies (reflect/client_ip.py, docs/security.md)."""

import subprocess
import sys
from pathlib import Path

import pytest
from allauth.core.internal.ratelimit import Rate, get_cache_key
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from reflect.client_ip import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.5", "172.16.0.0/12", "fd00::/8"])
LOGIN_RATE = Rate(amount=5, duration=300, per="ip")


def _key(settings, remote_addr: str, forwarded_for: str | None = None) -> str:
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().post("/accounts/login/", **headers)
    return get_cache_key(request, app="account", action="login_failed", rate=LOGIN_RATE)


def test_a_spoofed_forwarded_for_from_an_untrusted_address_does_not_change_the_key(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    plain = _key(settings, "203.0.113.9")
    assert _key(settings, "203.0.113.9", "198.51.100.1") == plain
    assert _key(settings, "203.0.113.9", "198.51.100.2, 10.0.0.5") == plain
    assert "203.0.113.9" in plain


def test_with_no_trusted_proxies_the_header_is_never_believed(settings):
    settings.TRUSTED_PROXIES = []
    assert _key(settings, "10.0.0.5", "198.51.100.1") == _key(settings, "10.0.0.5")


def test_from_a_trusted_proxy_the_key_is_the_client_the_proxy_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    first = _key(settings, "10.0.0.5", "198.51.100.1")
    second = _key(settings, "10.0.0.5", "198.51.100.2")
    assert first != second
    assert "198.51.100.1" in first
    assert first == _key(settings, "198.51.100.1")


def test_a_client_behind_the_proxy_cannot_choose_its_bucket(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    # The proxy appends the address it saw; what the client wrote stays on the left.
    real = _key(settings, "10.0.0.5", "198.51.100.1")
    assert _key(settings, "10.0.0.5", "1.2.3.4, 198.51.100.1") == real
    assert _key(settings, "10.0.0.5", "1.2.3.4, 5.6.7.8, 198.51.100.1") == real


@pytest.mark.parametrize(
    ("remote_addr", "forwarded_for", "client"),
    [
        ("203.0.113.9", "", "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is ignored
        ("10.0.0.5", "", "10.0.0.5"),  # a proxy that sent no header is itself the client
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.5", "198.51.100.1, 172.16.4.4", "198.51.100.1"),  # past two trusted hops
        ("10.0.0.5", "6.6.6.6, 198.51.100.1, 172.16.4.4", "198.51.100.1"),
        ("10.0.0.5", "172.20.0.1, 172.16.4.4", "172.20.0.1"),  # every hop ours: the farthest
        ("10.0.0.5", "not-an-address, 172.16.4.4", "172.16.4.4"),  # stops at what it cannot read
        ("10.0.0.5", " 198.51.100.1 ", "198.51.100.1"),
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
        ("10.0.0.5", "[2001:db8::1]", "2001:db8::1"),
        ("::ffff:10.0.0.5", "198.51.100.1", "198.51.100.1"),  # an IPv4 proxy on a dual-stack socket
        ("fd00::1", "198.51.100.1", "198.51.100.1"),
        ("::ffff:203.0.113.9", "198.51.100.1", "203.0.113.9"),
        ("", "198.51.100.1", None),
    ],
)
def test_client_address(remote_addr, forwarded_for, client):
    assert client_address(remote_addr, forwarded_for, PROXIES) == client


def test_a_bad_trusted_proxies_entry_is_named():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300' is not an IP address or network"):
        parse_networks(["10.0.0.5", "10.0.0.300"])


@pytest.mark.django_db
def test_failed_sign_ins_behind_the_proxy_are_counted_per_client(client, settings):
    # login_failed allows 10 a minute from one address (config/settings.py); each attempt names
    # another account, so only the per-address limit is in play.
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    cache.clear()
    attempts = iter(range(100))

    def attempt(forwarded_for: str) -> list[str]:
        wrong = {"login": f"nobody{next(attempts)}@example.org", "password": "wrong"}
        response = client.post(
            reverse("account_login"), wrong, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded_for
        )
        return response.context["form"].non_field_errors()

    limited = ["Too many failed login attempts. Try again later."]
    try:
        for _ in range(10):
            assert attempt("198.51.100.1") != limited
        assert attempt("198.51.100.1") == limited
        # Another visitor behind the same proxy is not locked out with them …
        assert attempt("198.51.100.2") == ["The email address and/or password you specified are not correct."]
        # … and the limited one cannot get out by writing another address on the left.
        assert attempt("1.2.3.4, 198.51.100.1") == limited
    finally:
        cache.clear()


def test_production_refuses_a_malformed_trusted_proxies_setting(tmp_path: Path):
    root = Path(__file__).resolve().parents[2]
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "TRUSTED_PROXIES": "10.0.0.5,proxy.internal",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "ImproperlyConfigured: TRUSTED_PROXIES: 'proxy.internal' is not an IP address or network" in result.stderr
