"""Redis down must not stop anyone signing in (allauth keeps its rate limits in the cache)."""

import socket

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories.core import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _dead_port() -> int:
    # A port nothing listens on: bind, read the number, close.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "reflect.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_dead_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # pytest-django's settings fixture makes Django rebuild its cache handlers for this test.
    yield


def test_sign_in_works_while_the_cache_is_unreachable(client, redis_down):
    cache = caches["default"]
    assert cache.get("anything", "fallback") == "fallback"
    assert cache.add("used-code", 1) is True
    UserFactory(email="someone@example.org")
    response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_plain_redis_cache_would_fail(settings, redis_down):
    # The control: Django's own backend raises on the same unreachable server.
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import ConnectionError as RedisConnectionError

    location = settings.CACHES["default"]["LOCATION"]
    plain = RedisCache(location, {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}})
    with pytest.raises(RedisConnectionError):
        plain.get("anything")
