"""A Redis cache that degrades instead of failing when Redis is unreachable.

allauth keeps its rate-limit counters and used-TOTP-code markers in the default cache. With
Django's plain RedisCache, Redis being down would turn every sign-in into a 500; with this
one a cache outage behaves like an empty cache (a miss, a write that did not stick), is
logged, and signing in keeps working. docs/architecture.md: Redis being down never fails a person.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _degrade(operation: str, fallback: T, call: Callable[[], T]) -> T:
    try:
        return call()
    except (RedisError, OSError) as error:
        logger.warning("Cache %s skipped, Redis is unreachable: %s", operation, error)
        return fallback


class ResilientRedisCache(RedisCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _degrade("get", default, lambda: super(ResilientRedisCache, self).get(key, default, version))

    def set(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> None:
        _degrade("set", None, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def add(self, key: Any, value: Any, timeout: Any = None, version: int | None = None) -> bool:
        return _degrade("add", True, lambda: super(ResilientRedisCache, self).add(key, value, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _degrade("delete", False, lambda: super(ResilientRedisCache, self).delete(key, version))

    def touch(self, key: Any, timeout: Any = None, version: int | None = None) -> bool:
        return _degrade("touch", False, lambda: super(ResilientRedisCache, self).touch(key, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return _degrade("incr", delta, lambda: super(ResilientRedisCache, self).incr(key, delta, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return _degrade("has_key", False, lambda: super(ResilientRedisCache, self).has_key(key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _degrade("get_many", {}, lambda: super(ResilientRedisCache, self).get_many(keys, version))

    def set_many(self, data: Any, timeout: Any = None, version: int | None = None) -> list[Any]:
        return _degrade("set_many", [], lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        _degrade("delete_many", None, lambda: super(ResilientRedisCache, self).delete_many(keys, version))

    def clear(self) -> None:
        _degrade("clear", None, lambda: super(ResilientRedisCache, self).clear())

    def bump_and_delete(self, counters: list[str], deleted: list[str]) -> None:
        """``add(key, 0, timeout=None)`` then ``incr(key)`` for each counter, then ``delete``
        each key of ``deleted``: the same commands (SET NX, INCR, DEL) in one round trip, a
        pipeline without MULTI, where the calls one by one take one each and ``incr`` an
        EXISTS besides (the key was just added, so it is there). Degrades as they do."""

        def run() -> None:
            client = self._cache.get_client(write=True)  # writes all go to the first server
            with client.pipeline(transaction=False) as pipe:
                for counter in counters:
                    key = self.make_and_validate_key(counter)
                    # 0 as add() stores it (Django's serializer keeps an int as itself, so INCR counts it).
                    pipe.set(key, 0, nx=True)
                    pipe.incr(key)
                if deleted:
                    pipe.delete(*(self.make_and_validate_key(key) for key in deleted))
                pipe.execute()

        _degrade("bump_and_delete", None, run)
