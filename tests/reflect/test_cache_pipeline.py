"""ResilientRedisCache.bump_and_delete: forget_next_free's commands in one round trip, leaving
Redis as the calls one by one do (add then incr each counter, delete the entries), and
degrading as they do when Redis is down. Needs Redis (REDIS_URL)."""

import os
import socket

import pytest
from django.conf import settings as django_settings

from reflect.cache import ResilientRedisCache

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")


def _cache(location: str) -> ResilientRedisCache:
    return ResilientRedisCache(
        location, {"KEY_PREFIX": "test-pipeline", "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )


@needs_redis
def test_bump_and_delete_leaves_what_the_calls_one_by_one_leave() -> None:
    cache = _cache(django_settings.REDIS_URL)
    keys = ["counter:new", "counter:old", "entry:a", "entry:b"]

    def start() -> None:
        cache.delete_many(keys)
        cache.set("counter:old", 7, timeout=None)
        cache.set_many({"entry:a": ("kept", 1), "entry:b": ("kept", 2)}, timeout=60)

    start()
    for counter in ["counter:new", "counter:old"]:
        cache.add(counter, 0, timeout=None)
        cache.incr(counter)
    cache.delete("entry:a")
    one_by_one = cache.get_many(keys)

    start()
    client = cache._cache.get_client(write=True)

    def one_command(client, *args, **kwargs):
        raise AssertionError(f"a command of its own, not in the pipeline: {args[0]}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(client), "execute_command", one_command)  # a pipeline queues its own
        cache.bump_and_delete(["counter:new", "counter:old"], ["entry:a"])
    assert cache.get_many(keys) == one_by_one == {"counter:new": 1, "counter:old": 8, "entry:b": ("kept", 2)}
    assert client.ttl(cache.make_and_validate_key("counter:new")) == -1  # never expires, as add(timeout=None)
    cache.delete_many(keys)


@needs_redis
@pytest.mark.django_db
def test_forgetting_a_supervisors_free_times_is_one_pipeline(settings, django_capture_on_commit_callbacks) -> None:
    """forget_next_free, with the cache as deployed: after the commit, the supervisor's and the
    organisation's versions move on and the entry is gone, with no command sent on its own."""
    from django.core.cache import caches

    from scheduling.services import next_free_memory

    settings.CACHES = {"default": {"BACKEND": "reflect.cache.ResilientRedisCache", "LOCATION": settings.REDIS_URL}}
    cache = caches["default"]
    supervisor_key, organisation_key = "next-free:version:supervisor:41", "next-free:version:organisation:42"
    cache.delete_many([supervisor_key, organisation_key])
    cache.set(supervisor_key, 3, timeout=None)
    cache.set("next-free:v2:41", (3, "kept"), timeout=60)
    client = cache._cache.get_client(write=True)

    def one_command(client, *args, **kwargs):
        raise AssertionError(f"a command of its own, not in the pipeline: {args[0]}")

    # The hooks run as the inner block ends, while every command on its own still fails.
    with pytest.MonkeyPatch.context() as patch, django_capture_on_commit_callbacks(execute=True) as hooks:
        patch.setattr(type(client), "execute_command", one_command)
        next_free_memory.forget_next_free(41, organisation_id=42)
    assert len(hooks) == 1
    assert cache.get_many([supervisor_key, organisation_key, "next-free:v2:41"]) == {
        supervisor_key: 4,
        organisation_key: 1,
    }
    cache.delete_many([supervisor_key, organisation_key])


def test_bump_and_delete_degrades_when_redis_is_down(caplog) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cache = _cache(f"redis://127.0.0.1:{port}/0")
    cache.bump_and_delete(["counter"], ["entry"])  # logged and skipped, as add, incr and delete are
    assert "Cache bump_and_delete skipped, Redis is unreachable" in caplog.text
