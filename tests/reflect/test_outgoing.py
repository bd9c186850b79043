"""The bounded look-up of a host name typed by a user (reflect/outgoing.py): its small pool of
threads stays bounded, a resolver's failure comes back as ``HostNotFound``, and a forked worker
gets a pool of its own rather than its parent's (whose threads it does not have)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading

import pytest
from django.conf import settings

from reflect import outgoing

PUBLIC = "93.184.216.34"


def _answer(*args, **kwargs):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443))]


def _lookup_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("reflect-dns")]


def test_a_forked_worker_looks_up_names_with_its_own_threads(monkeypatch, settings) -> None:
    """The parent has looked a name up, so its pool has an idle thread, which a child does not
    have. Without a pool of its own, the child's first look-up waits in a queue no thread reads
    and times out."""
    settings.DNS_TIMEOUT_SECONDS = 1
    monkeypatch.setattr(socket, "getaddrinfo", _answer)
    assert outgoing.resolve_public("hooks.example.org", 443) == PUBLIC  # a thread, now idle
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports by its exit code alone
        try:
            code = 0 if outgoing.resolve_public("hooks.example.org", 443) == PUBLIC else 2
        except outgoing.LookupTimedOut:
            code = 3
        except BaseException:
            code = 4
        os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0


def test_resolvers_that_hang_hold_at_most_the_pools_threads(hanging_resolver) -> None:
    before = len(_lookup_threads())
    for _ in range(2 * outgoing.RESOLVER_THREADS):
        with pytest.raises(outgoing.LookupTimedOut):
            outgoing.resolve_public("hooks.example.org", 443)
    assert before <= len(_lookup_threads()) <= outgoing.RESOLVER_THREADS


def test_a_resolver_that_fails_is_host_not_found(monkeypatch) -> None:
    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(outgoing.HostNotFound) as refusal:
        outgoing.resolve_public("nowhere.example.org", 443)
    assert type(refusal.value) is outgoing.HostNotFound
    assert str(refusal.value) == "nowhere.example.org"


def test_a_process_exits_while_a_resolver_still_hangs() -> None:
    """A worker or command that looked a name up, and gave up waiting, still exits: the look-up
    threads are not joined at exit (``ThreadPoolExecutor``'s are, so this process never ended)."""
    script = (
        "import socket, threading, sys\n"
        "from django.conf import settings\n"
        "settings.configure(DNS_TIMEOUT_SECONDS=0.2)\n"
        "socket.getaddrinfo = lambda *args, **kwargs: threading.Event().wait()\n"
        "from reflect import outgoing\n"
        "try:\n"
        "    outgoing.resolve_public('hooks.example.org', 443)\n"
        "except outgoing.LookupTimedOut:\n"
        "    sys.exit(7)\n"
    )
    # The bound is for a hang, not a speed: the process has nothing left to do once it gives up.
    finished = subprocess.run([sys.executable, "-c", script], timeout=60, cwd=settings.BASE_DIR, check=False)
    assert finished.returncode == 7
