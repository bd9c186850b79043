"""Personas for the availability pages (a supervisor, another supervisor), a calendar server, the
world's supervision agreement, and a reflective group of the world with its first session."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from scheduling.models import ReflectiveGroup
from supervision.models import SupervisionAgreement, SupervisorProfile
from tests.factories.bookings import agree, supervisor_with_availability
from tests.factories.groups import NOW, make_group
from tests.factories.supervision import make_supervisor

PORTS = range(8600, 8700)


@pytest.fixture
def supervisor(db: None) -> SupervisorProfile:
    return make_supervisor("Ruth")


@pytest.fixture
def other_supervisor(db: None) -> SupervisorProfile:
    return make_supervisor("Sunita")


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    send_length: bool = True


@dataclass
class CalendarServer:
    """A real HTTP server on this machine serving whatever ``answer`` says, recording requests."""

    port: int
    answer: Answer = field(default_factory=Answer)
    routes: dict[str, Answer] = field(default_factory=dict)  # answers for particular paths
    requests: list[dict[str, str]] = field(default_factory=list)
    etag: str = ""  # when set, a request with this If-None-Match gets a 304

    def url(self, path: str = "/calendar.ics") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: CalendarServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server.requests.append({"path": self.path, **{k: v for k, v in self.headers.items()}})
            answer = server.routes.get(self.path, server.answer)
            if answer.delay:
                time.sleep(answer.delay)
            if server.etag and self.headers.get("If-None-Match") == server.etag:
                self.send_response(304)
                self.send_header("ETag", server.etag)
                self.end_headers()
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if server.etag:
                self.send_header("ETag", server.etag)
            if answer.send_length:
                self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            # The client may give up (timeout, size limit): that is what those tests are about.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def calendar_server(settings) -> Iterator[CalendarServer]:
    settings.BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = True
    state = CalendarServer(port=0)
    httpd = None
    for port in PORTS:
        try:
            httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), _handler(state))
        except OSError:
            continue
        state.port = port
        break
    assert httpd is not None, "no free port in 8600–8699"
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- Supervision bookings ---


@pytest.fixture
def agreement(world) -> SupervisionAgreement:
    """The world's organisation's one-to-one agreement (4 hours a month, 10 allocated) with Ann
    Carter, free on weekdays 09:00–17:00."""
    return agree(world.pool, world.organisation, supervisor_with_availability())


# --- Reflective groups ---


@pytest.fixture
def group(world) -> ReflectiveGroup:
    return make_group(world)


@pytest.fixture
def session(group):
    return group.sessions.order_by("starts_at").first()


@pytest.fixture
def frozen_now():
    """Pages read ``timezone.now()``: pin it to NOW so their sessions are the same in every run."""
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def send_what_is_waiting() -> None:
    """Deliver every notification still waiting, as the worker would (their e-mails go out)."""
    from reflect.enums import NotificationStatus
    from reflect.models import Notification
    from reflect.services.notifications import DeliveryOutcome, deliver_notification

    for pk in Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True):
        assert deliver_notification(pk) == DeliveryOutcome.SENT


from tests.radicale import radicale  # noqa: E402,F401 - the CalDAV server fixture for test_caldav_sync.py
