"""A real CalDAV server (Radicale) for the calendar-sync tests: started once per test session on
a free port, each test with a calendar collection of its own."""

from __future__ import annotations

import base64
import datetime
import http.client
import itertools
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import icalendar
import pytest

USER = "ruth"
PASSWORD = "app-password-9Xq2"  # Radicale is run without authentication: any password is taken
MKCALENDAR = (
    '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    "<D:set><D:prop><D:displayname>Work</D:displayname></D:prop></D:set></C:mkcalendar>"
)
_names = itertools.count(1)


@dataclass
class Radicale:
    port: int

    def request(self, method: str, path: str, body: str = "", content_type: str = "") -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=body.encode(), headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def new_calendar(self) -> CalDAVCalendar:
        path = f"/{USER}/calendar-{next(_names)}/"
        status, _ = self.request("MKCALENDAR", path, MKCALENDAR)
        assert status == 201, status
        return CalDAVCalendar(self, path)


@dataclass
class CalDAVCalendar:
    server: Radicale
    path: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}{self.path}"

    def events(self) -> list[icalendar.Event]:
        """Every event in the collection, read straight from the server (sorted by start)."""
        status, body = self.server.request("GET", self.path)
        assert status == 200, status
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        return sorted(events, key=lambda event: event.decoded("DTSTART"))

    def put(self, name: str, text: str) -> None:
        status, _ = self.server.request("PUT", self.path + name, text, "text/calendar")
        assert status in (201, 204), status

    def add_busy(self, uid: str, start: datetime.datetime, end: datetime.datetime) -> None:
        """An event the supervisor made themselves."""
        self.put(
            f"{uid}.ics",
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:{start:%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{end:%Y%m%dT%H%M%SZ}\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        )

    def href_of(self, uid: str) -> str:
        """The path of the event with this UID (whatever name the writer gave it)."""
        body = (
            '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
            '<D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:prop-filter name="UID"><C:text-match collation="i;octet">{uid}</C:text-match></C:prop-filter>'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
        )
        status, answer = self.server.request("REPORT", self.path, body, "application/xml")
        assert status == 207, status
        text = answer.decode()
        start = text.index("<D:href>" if "<D:href>" in text else "<href>")
        return text[start:].split(">", 1)[1].split("<", 1)[0]

    def delete_event(self, uid: str) -> None:
        """The supervisor deletes it in their own calendar."""
        status, _ = self.server.request("DELETE", self.href_of(uid))
        assert status in (200, 204), status

    def move_event(self, uid: str, start: datetime.datetime, end: datetime.datetime) -> None:
        """The supervisor drags it to another time in their own calendar."""
        href = self.href_of(uid)
        status, body = self.server.request("GET", href)
        assert status == 200, status
        calendar = icalendar.Calendar.from_ical(body)
        for event in calendar.walk("VEVENT"):
            event["DTSTART"] = icalendar.vDDDTypes(start)
            event["DTEND"] = icalendar.vDDDTypes(end)
        status, _ = self.server.request("PUT", href, calendar.to_ical().decode(), "text/calendar")
        assert status in (201, 204), status


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    folder: Path = tmp_path_factory.mktemp("radicale")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "none",
            "--rights-type",
            "authenticated",
            "--storage-filesystem-folder",
            str(folder / "collections"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = Radicale(port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                server.request("OPTIONS", "/")
                break
            except OSError:
                assert process.poll() is None, "Radicale stopped at start-up"
                assert time.monotonic() < deadline, "Radicale did not answer within 20 s"
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
