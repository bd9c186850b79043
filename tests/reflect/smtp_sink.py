"""A small SMTP server on this machine that accepts mail and remembers it: for the tests and the
notifications benchmark, so that delivery holds a real SMTP conversation (and its connections
can be counted) rather than Django's in-memory backend.

It speaks the part of SMTP that ``smtplib`` uses (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT), and advertises PIPELINING (RFC 2920) and SIZE as most servers do (``pipelining=False``:
not PIPELINING). As RFC 2920 asks, DATA after no accepted recipient is refused (554), not
answered 354. By recipient address it can misbehave the way real servers do:

- ``refuse``: answer RCPT with 550 (an address the server will never take);
- ``defer``: answer the end of DATA with 451 (a passing failure; the connection stays up);
- ``hang_up_on``: close the connection at RCPT (a server that went away mid-conversation);
- ``greylist``: answer RCPT with 450 (try this address again later);
- ``closing_on``: answer RCPT with 421 and close the connection (a server shutting down);
- ``greet=False``: close every connection before a word (a server that is not working);
- ``data_without_recipients=True``: answer DATA 354 even when no recipient was accepted (a
  server that breaks RFC 2920).
"""

from __future__ import annotations

import collections
import contextlib
import re
import socket
import socketserver
import threading
from dataclasses import dataclass
from typing import Any

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message_id(self) -> str:
        found = MESSAGE_ID.search(self.data)
        return found.group(1).decode() if found else ""


class SmtpSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        *,
        refuse: frozenset[str] = frozenset(),
        defer: frozenset[str] = frozenset(),
        hang_up_on: frozenset[str] = frozenset(),
        greylist: frozenset[str] = frozenset(),
        closing_on: frozenset[str] = frozenset(),
        greet: bool = True,
        keep_messages: bool = True,
        pipelining: bool = True,
        data_without_recipients: bool = False,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Conversation)  # a free port, chosen by the system
        self.refuse, self.defer, self.hang_up_on = refuse, defer, hang_up_on
        self.greylist, self.closing_on = greylist, closing_on
        self.greet = greet  # False: close each connection at once, a server that is not working
        self.pipelining, self.data_without_recipients = pipelining, data_without_recipients
        # The benchmark sends 100,000 messages: it keeps their Message-IDs, not their bodies.
        self.keep_messages = keep_messages
        self.messages: list[ReceivedMail] = []
        self.message_ids: collections.Counter[str] = collections.Counter()
        self.connections = 0
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return self.server_address[1]

    def accepted(self) -> int:
        with self._lock:
            return sum(self.message_ids.values())

    def start(self) -> SmtpSink:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def _connected(self) -> None:
        with self._lock:
            self.connections += 1

    def _received(self, mail: ReceivedMail) -> None:
        with self._lock:
            self.message_ids[mail.message_id] += 1
            if self.keep_messages:
                self.messages.append(mail)


class _Conversation(socketserver.BaseRequestHandler):
    server: SmtpSink
    request: socket.socket

    def setup(self) -> None:
        # Read in large pieces, not line by line: the benchmark's 100,000 messages should cost
        # this server little of the machine the workers run on.
        self.received = bytearray()
        # Answers wait here until the client's commands run out (RFC 2920, 3.2: a server
        # answers a pipelined group together, not in a packet each, which would meet the
        # client's delayed acknowledgement and Nagle's algorithm here: 40 ms a message).
        self.answers = bytearray()

    def _more(self) -> bool:
        self._flush()
        chunk = self.request.recv(65536)
        self.received += chunk
        return bool(chunk)

    def _read_until(self, end: bytes) -> bytes | None:
        while (found := self.received.find(end)) < 0:
            if not self._more():
                return None
        taken = bytes(self.received[: found + len(end)])
        del self.received[: found + len(end)]
        return taken

    def _say(self, line: str) -> None:
        self.answers += line.encode() + b"\r\n"

    def _flush(self) -> None:
        if self.answers:
            self.request.sendall(self.answers)
            self.answers.clear()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            self._flush()  # the last answer (221 Bye)

    def handle(self) -> None:
        sink = self.server
        sink._connected()
        if not sink.greet:
            return
        self._say("220 sink.invalid ESMTP")
        sender, recipients = "", []
        while line := self._read_until(b"\r\n"):
            command, _, argument = line.decode("ascii", "replace").strip().partition(" ")
            verb = command.upper()
            if verb == "EHLO":
                extensions = b"250-PIPELINING\r\n" if sink.pipelining else b""
                self.answers += b"250-sink.invalid\r\n" + extensions + b"250-SIZE 10240000\r\n250 8BITMIME\r\n"
            elif verb in ("HELO", "NOOP"):
                self._say("250 OK")
            elif verb == "MAIL":
                sender, recipients = _address(argument), []
                self._say("250 OK")
            elif verb == "RCPT":
                address = _address(argument)
                if address in sink.hang_up_on:
                    return
                if address in sink.closing_on:
                    self._say("421 Shutting down")
                    return
                if address in sink.refuse:
                    self._say("550 No such mailbox")
                elif address in sink.greylist:
                    self._say("450 Greylisted, try again later")
                else:
                    recipients.append(address)
                    self._say("250 OK")
            elif verb == "DATA":
                if not recipients and not sink.data_without_recipients:
                    self._say("554 No valid recipients")
                    continue
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = self._read_data()
                if data is None:
                    return
                if not recipients:
                    self._say("554 No valid recipients")
                elif any(address in sink.defer for address in recipients):
                    self._say("451 Try again later")
                else:
                    sink._received(ReceivedMail(sender, tuple(recipients), data))
                    self._say("250 OK queued")
                sender, recipients = "", []
            elif verb == "RSET":
                sender, recipients = "", []
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("500 Command not recognised")

    def _read_data(self) -> bytes | None:
        """The message up to the line holding a lone ".", with its dot-stuffing undone."""
        self.received[0:0] = b"\r\n"  # so that an empty message's "." is found like any other
        data = self._read_until(b"\r\n.\r\n")
        if data is None:
            return None
        return data[2:-3].replace(b"\r\n..", b"\r\n.").removeprefix(b".")


def send_mail_to(sink: SmtpSink, settings: Any) -> None:
    """Point Django's mail at ``sink`` over SMTP, as in production (``settings``: pytest-django's
    fixture, which puts everything back after the test)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def _address(argument: str) -> str:
    """ "FROM:<a@b>" or "TO:<a@b> SIZE=…" → "a@b"."""
    return argument.partition(":")[2].strip().split(" ", 1)[0].strip("<>").lower()
