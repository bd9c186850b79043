"""Connecting to an address a user typed, safely: one way for every feature that does it (a
busy calendar, a connected calendar, a webhook endpoint; docs/security.md).

The address checks are ``reflect.addresses`` (pure); this module adds what needs the network:

- ``private_host``: a host name or literal that is private before any look-up (``localhost``,
  ``*.local``, ``*.internal``, a private literal, IPv4 in its old notations such as ``127.1``);
- ``resolve_public``: every address the name resolves to must be public, and the caller
  connects to the one returned (DNS pinning: a name that changes its answer between check and
  connect cannot slip through). The look-up is bounded (``DNS_TIMEOUT_SECONDS``):
  ``getaddrinfo`` takes no timeout, so it runs on a small pool of threads and we wait for it
  at most that long; a resolver that hangs holds a pool thread, never the request or the worker
  (a forked worker starts a pool of its own: ``_resolvers_after_fork``);
- ``PinnedHTTPConnection`` / ``PinnedHTTPSConnection``: connect to that pinned address (the
  certificate is still checked against the host name), every read bounded by one ``Deadline``
  for the whole exchange, so a server that trickles a byte at a time is cut off on time.

Each feature words its own refusals (``PrivateHost``, ``HostNotFound`` carry no message for a
person). Standard library only: ``http.client`` lets us pin the checked address, which
``urllib`` does not.
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import queue
import socket
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as LookupTimeout
from typing import Any

from django.conf import settings

from reflect.addresses import is_public_address, parse_address

# Names that never leave the machine or its own network, whatever a resolver says.
_PRIVATE_NAMES = (".localhost", ".local", ".internal")


class PrivateHost(Exception):
    """The host is, or resolves to, an address that is not on the public internet."""


class HostNotFound(Exception):
    """The host name does not resolve."""


class LookupTimedOut(HostNotFound):
    """The resolver did not answer within ``DNS_TIMEOUT_SECONDS``."""


# Look-ups wait here. Few threads: resolvers that hang fill them, and later look-ups then wait
# in the queue and time out too, rather than piling up threads without end. The threads start
# on the first look-ups and stay for the next ones; one held by a resolver that hangs is free
# again when the system resolver gives up (its own timeouts, resolv.conf).
RESOLVER_THREADS = 4


class _Resolvers:
    """A few daemon threads running look-ups from one queue. Not ``ThreadPoolExecutor``: it
    joins its threads when the interpreter exits, so one resolver that hangs would keep a
    finished worker or command from exiting; a daemon thread is simply dropped."""

    def __init__(self, threads: int) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[list[Any]], Callable[[], list[Any]]]] = queue.SimpleQueue()
        self._most = threads
        self._started = 0
        self._starting = threading.Lock()

    def submit(self, look_up: Callable[[], list[Any]]) -> Future[list[Any]]:
        found: Future[list[Any]] = Future()
        self._jobs.put((found, look_up))
        with self._starting:
            if self._started < self._most:
                self._started += 1
                threading.Thread(target=self._work, name=f"reflect-dns-{self._started}", daemon=True).start()
        return found

    def _work(self) -> None:
        while True:
            found, look_up = self._jobs.get()
            if not found.set_running_or_notify_cancel():
                continue  # cancelled while it waited: its caller has given up already
            try:
                found.set_result(look_up())
            except BaseException as error:  # handed to the caller, who is waiting for it
                found.set_exception(error)


def _new_resolvers() -> _Resolvers:
    return _Resolvers(RESOLVER_THREADS)


_resolvers = _new_resolvers()


def _resolvers_after_fork() -> None:
    """A forked process (a Celery or gunicorn worker) has none of its parent's threads, but the
    parent's pool would still count its idle ones as there: look-ups would queue for threads
    that never take them, and every one would time out. The child starts a pool of its own."""
    global _resolvers
    _resolvers = _new_resolvers()


os.register_at_fork(after_in_child=_resolvers_after_fork)


def _lookup(host: str, port: int) -> list[Any]:
    found = _resolvers.submit(lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    try:
        return found.result(timeout=float(getattr(settings, "DNS_TIMEOUT_SECONDS", 5)))
    except LookupTimeout:
        found.cancel()  # if it has not started yet, it never will
        raise LookupTimedOut(host) from None


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``127.1``, ``0x7f000001``, ``2130706433``: IPv4 in the old notations resolvers accept."""
    if not all(character in "0123456789abcdefx." for character in host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def private_host(host: str) -> bool:
    """True for a host (lower case, ASCII, no brackets) that is private before any look-up."""
    if host == "localhost" or host.endswith(_PRIVATE_NAMES):
        return True
    literal = parse_address(host) or legacy_ipv4(host)
    return literal is not None and not is_public_address(literal)


def resolve_public(host: str, port: int, *, allow_private: bool = False) -> str:
    """One address to connect to, after checking every address the name has.

    ``HostNotFound`` for a name with no address (``LookupTimedOut`` when the resolver does not
    answer in time); ``PrivateHost`` if any of them is not public (unless ``allow_private``,
    for tests against a local server).
    """
    try:
        infos = _lookup(host, port)
    except (socket.gaierror, UnicodeError) as error:
        raise HostNotFound(host) from error
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise HostNotFound(host)
    if not allow_private and not all(is_public_address(address) for address in addresses):
        raise PrivateHost(host)
    return addresses[0]


class Deadline:
    """The moment the whole exchange must be over (``time.monotonic`` seconds)."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        """The seconds left, or ``TimeoutError`` when there are none."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


class _DeadlineSocket(socket.socket):
    """A socket whose every read waits at most until the deadline."""

    deadline: Deadline

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        self.settimeout(self.deadline.left())
        return super().recv(bufsize, flags)


class _DeadlineSSLSocket(ssl.SSLSocket):
    """The same, for TLS: every read of decrypted bytes waits at most until the deadline."""

    deadline: Deadline

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self.settimeout(self.deadline.left())
        return super().recv_into(buffer, nbytes, flags)

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        self.settimeout(self.deadline.left())
        return super().read(len, buffer)


def _connect(address: str, port: int, deadline: Deadline) -> _DeadlineSocket:
    plain = socket.create_connection((address, port), deadline.left())
    sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
    sock.deadline = deadline
    sock.settimeout(deadline.left())
    return sock


class PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, deadline: Deadline) -> None:
        super().__init__(host, port, timeout=deadline.left())
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self._deadline)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, deadline: Deadline) -> None:
        self._tls = ssl.create_default_context()
        self._tls.sslsocket_class = _DeadlineSSLSocket
        super().__init__(host, port, timeout=deadline.left(), context=self._tls)
        self._address = address
        self._deadline = deadline

    def connect(self) -> None:
        sock = _connect(self._address, self.port, self._deadline)
        # The handshake is bounded by the time left; the certificate is checked against the
        # host name, not the pinned address.
        sock.settimeout(self._deadline.left())
        tls = self._tls.wrap_socket(sock, server_hostname=self.host)
        assert isinstance(tls, _DeadlineSSLSocket)
        tls.deadline = self._deadline
        self.sock = tls
