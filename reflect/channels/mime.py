"""Writing a notification e-mail's bytes (RFC 5322, MIME) directly, for the SMTP conversation.

Django's ``EmailMessage.message()`` builds a tree of ``email.mime`` objects and Python's
generator then writes it, folding every header through ``email.header.Header`` and compiling a
regular expression for each boundary: about 0.7 ms of a worker's CPU time a message, a third of
what a notification cost in all (docs/performance.md, "Notifications at volume"). A
notification has one of a few fixed shapes (text, HTML, an invitation's calendar), so
``MimeWriter`` writes those bytes itself, the same bytes, boundaries and Date apart, as Django's
message gives (``tests/reflect/test_notifications_mime.py`` compares them, byte for byte, over
every shape and over generated text):

- a header that is printable ASCII and fits on one line is written as it is, which is what
  the generator does with it; any other (a long subject, a name with an accent) is encoded and
  folded by the very functions Django's message uses (``forbid_multi_line_headers``, then
  the ``compat32`` policy's folding). A batch writes each such header once: the sender, and
  a subject many recipients share;
- a text part goes as 7bit or 8bit UTF-8 as Django sends it; one with a line longer than
  RFC 5322 allows (998 octets) is quoted-printable, written by Django's own part;
- the calendar goes in base64 (``base64.encodebytes`` gives the 76-character lines the
  generator writes).
"""

from __future__ import annotations

import base64
import random
import re
import sys
from dataclasses import dataclass
from email import generator, policy
from email.utils import formatdate
from io import BytesIO

from django.conf import settings
from django.core.mail.message import SafeMIMEText, forbid_multi_line_headers

CRLF = "\r\n"
# Header lines longer than this are folded (RFC 5322's recommended 78, the generator's limit).
MAX_HEADER_LINE = 78
# A line of a text part longer than this (in octets) makes Django send the part quoted-printable.
MAX_BODY_LINE = 998
# The generator's line breaks: any of CRLF, CR and LF becomes CRLF.
LINE_BREAK = re.compile(r"\r\n|\r|\n")
FOLDING = policy.compat32.clone(linesep=CRLF)


@dataclass(frozen=True)
class EmailContent:
    """What one e-mail carries, whichever way it is written (``build_email`` for Django's mail
    backends, ``MimeWriter`` for the SMTP conversation)."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]  # the Message-ID, and an invitation's Reply-To
    ics: str = ""  # a calendar: an invitation when ``method`` is set, else a plain file
    method: str | None = None  # the invitation's iTIP method (REQUEST, CANCEL)


@dataclass(frozen=True)
class _Part:
    headers: str  # its header lines, each ending in CRLF
    body: bytes


class MimeWriter:
    """Writes a batch's messages (``write``). Made for one batch: it keeps the header lines it
    has encoded (the sender's, the subjects) for the batch's other messages."""

    def __init__(self) -> None:
        self._lines: dict[tuple[str, str], str] = {}
        self._from = self._line("From", settings.DEFAULT_FROM_EMAIL)
        self._localtime = settings.EMAIL_USE_LOCALTIME

    def write(self, content: EmailContent) -> bytes:
        """The message's bytes with CRLF line ends, as Django's ``message().as_bytes(linesep="\\r\\n")``."""
        body = self._text_part("plain", content.text)
        if content.html or content.method:
            alternatives = [body]
            if content.html:
                alternatives.append(self._text_part("html", content.html))
            if content.method:
                # Django's part re-written by InvitationEmail (reflect/channels/email.py): the
                # method added to its type last, after the encoding's header.
                alternatives.append(
                    _Part(
                        "MIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n"
                        f'Content-Type: text/calendar; charset="utf-8"; method={content.method}\r\n',
                        _base64(content.ics),
                    )
                )
            body = _multipart("alternative", alternatives)
        if content.method:
            attached = _Part(
                'Content-Type: application/ics; name="invite.ics"\r\nMIME-Version: 1.0\r\n'
                'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="invite.ics"\r\n',
                _base64(content.ics),
            )
            body = _multipart("mixed", [body, attached])
        elif content.ics:
            body = _multipart("mixed", [body, self._text_part("calendar", content.ics, filename="booking.ics")])

        headers = [body.headers, self._line("Subject", content.subject), self._from, self._line("To", content.to)]
        if "Reply-To" in content.headers:
            headers.append(self._line("Reply-To", content.headers["Reply-To"]))
        headers.append(self._line("Date", formatdate(localtime=self._localtime), keep=False))
        headers += [
            self._line(name, value, keep=False)
            for name, value in content.headers.items()
            if name.lower() not in {"from", "to", "cc", "reply-to"}
        ]
        return "".join(headers).encode("ascii") + b"\r\n" + body.body

    def _line(self, name: str, value: str, *, keep: bool = True) -> str:
        """One header as the generator writes it: ``Name: value`` and CRLF, folded if need be."""
        # Printable: no line break, nor a character that str.splitlines breaks at (\x0c …).
        if value.isascii() and value.isprintable() and len(name) + 2 + len(value) <= MAX_HEADER_LINE:
            return f"{name}: {value}{CRLF}"
        line = self._lines.get((name, value))
        if line is None:
            line = FOLDING.fold_binary(*forbid_multi_line_headers(name, value, "utf-8")).decode("ascii")
            if keep:
                self._lines[name, value] = line
        return line

    def _text_part(self, subtype: str, text: str, *, filename: str = "") -> _Part:
        data = text.encode("utf-8")
        disposition = f'Content-Disposition: attachment; filename="{filename}"{CRLF}' if filename else ""
        if len(data) > MAX_BODY_LINE and any(
            len(line.encode(errors="surrogateescape")) > MAX_BODY_LINE for line in text.splitlines()
        ):
            # Quoted-printable: rare enough to leave to Django's part (SafeMIMEText chooses it).
            part = SafeMIMEText(text, subtype, "utf-8")
            written = BytesIO()
            generator.BytesGenerator(written, mangle_from_=False, policy=FOLDING).flatten(part)
            head, _, body = written.getvalue().partition(b"\r\n\r\n")
            return _Part(head.decode("ascii") + CRLF + disposition, body)
        encoding = "7bit" if text.isascii() else "8bit"
        # Every line break written as CRLF; most texts have only LF, and a plain replace does.
        data = LINE_BREAK.sub(CRLF, text).encode("utf-8") if "\r" in text else data.replace(b"\n", b"\r\n")
        return _Part(
            f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}MIME-Version: 1.0{CRLF}'
            f"Content-Transfer-Encoding: {encoding}{CRLF}{disposition}",
            data,
        )


def _base64(text: str) -> bytes:
    return base64.encodebytes(text.encode("utf-8")).replace(b"\n", b"\r\n")


def _multipart(subtype: str, parts: list[_Part]) -> _Part:
    """The parts between boundaries, as the generator lays them out: each part's headers, a blank
    line and its body; a boundary line before each, preceded by a line break; a closing one."""
    texts = [part.headers.encode("ascii") + b"\r\n" + part.body for part in parts]
    while True:
        # The generator's boundary: 15 "=", 19 random digits, "=="; one that no part contains.
        boundary = f"==============={random.randrange(sys.maxsize):019d}=="
        if not any(f"--{boundary}".encode() in text for text in texts):
            break
    delimiter = f"\r\n--{boundary}\r\n".encode()
    body = delimiter[2:] + delimiter.join(texts) + f"\r\n--{boundary}--\r\n".encode()
    content_type = f'Content-Type: multipart/{subtype}; boundary="{boundary}"'
    if len(content_type) > MAX_HEADER_LINE:
        # Folded where the generator folds it: "multipart/alternative; boundary=…" is too long.
        content_type = content_type.replace("; ", ";" + CRLF + " ", 1)
    return _Part(f"{content_type}{CRLF}MIME-Version: 1.0{CRLF}", body)
