"""The e-mail bytes MimeWriter writes for the SMTP conversation are the bytes Django's message
gives (reflect/channels/mime.py): compared byte for byte, the random boundaries and the Date
apart, and as a mail client parses them, over every shape of message and over generated text."""

from __future__ import annotations

import email
import re
import smtplib
import time
from email import policy
from email.message import EmailMessage

import pytest
from django.core.mail.message import sanitize_address
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reflect.channels import render_kind
from reflect.channels.email import build_email, email_content
from reflect.channels.mime import EmailContent, MimeWriter
from reflect.channels.smtp import envelope_address, quoted_address
from reflect.models import Notification
from reflect.notification_kinds import all_kinds

BOUNDARY = re.compile(rb"={15}\d{19}==")
DATE = re.compile(rb"^Date: (.*)\r\n", re.MULTILINE)

INVITATION = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:group-session-12@reflect.test\r\n"
    'ORGANIZER;CN="Zoë Ní Bhriain":mailto:zoe@example.org\r\nSUMMARY:Reflective practice — Leeds\r\n'
    "DESCRIPTION:A long description that runs past the seventy-five octets a line of iCalendar \r\n"
    " may hold\\, so folded.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
CANCELLATION = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
PLAIN_CALENDAR = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
SUBJECT = "Reminder: Reflective practice group, Thursday 10 December 2026, 14:00"


def normalised(data: bytes) -> bytes:
    """The message with its boundaries numbered in order of appearance and its Date blanked."""
    numbers: dict[bytes, bytes] = {}
    data = BOUNDARY.sub(lambda found: numbers.setdefault(found[0], b"boundary-%d" % len(numbers)), data)
    return DATE.sub(b"Date: (now)\r\n", data)


def parsed(data: bytes) -> list[tuple]:
    """Each part as a mail client reads it: its headers (the Date apart), type and parameters
    (the boundary apart), disposition, file name, and content decoded."""
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return [
        (
            [(name, str(value)) for name, value in part.items() if name not in ("Date", "Content-Type")],
            part.get_content_type(),
            [(name, value) for name, value in part.get_params()[1:] if name != "boundary"],
            part.get_content_disposition(),
            part.get_filename(),
            None if part.is_multipart() else part.get_content(),
        )
        for part in message.walk()
    ]


def assert_written_as_django_writes(content: EmailContent) -> bytes:
    django_bytes = build_email(content).message().as_bytes(linesep="\r\n")
    written = MimeWriter().write(content)
    assert normalised(written) == normalised(django_bytes)
    assert parsed(written) == parsed(django_bytes)
    assert len(BOUNDARY.findall(written)) == len(BOUNDARY.findall(django_bytes))
    [date] = DATE.findall(written)
    assert abs(email.utils.mktime_tz(email.utils.parsedate_tz(date.decode())) - time.time()) < 60
    return written


def content(**fields) -> EmailContent:
    defaults = {
        "to": "sam@example.org",
        "subject": SUBJECT,
        "text": "Hello Sam,\n\nA reminder that you have a session.\n",
        "html": "<p>Hello Sam,</p>\n<p>A reminder.</p>",
        "headers": {"Message-ID": "<notification-7@reflect.test>"},
    }
    return EmailContent(**(defaults | fields))


SHAPES = {
    "text and HTML": content(),
    "text only": content(html=""),
    "accents everywhere": content(
        subject="Rappel : séance de pratique réflexive, jeudi 10 décembre",
        text="Bonjour Zoë,\n\nÀ jeudi — 14 h.\n",
        html="<p>Bonjour Zoë,</p><p>À jeudi — 14 h.</p>",
    ),
    "a subject folded over lines": content(
        subject=SUBJECT + ", Room 4, Leeds Community Hall, Chapeltown Road, LS7 3AP"
    ),
    "a subject of 69 characters, the longest kept on one line": content(subject="x" * 69),
    "a subject of 70 characters": content(subject="x" * 70),
    "lines beyond 998 octets (quoted-printable)": content(
        text="Hello,\n" + "a" * 1200 + "\n", html="<p>" + "é" * 600 + "</p>"
    ),
    "dots, lone CRs and CRLFs": content(text=".starts with a dot\r\nmiddle\rlast\n.\n", html="<p>\r\n.</p>"),
    "an invitation": content(
        ics=INVITATION,
        method="REQUEST",
        headers={"Message-ID": "<n-1@x>", "Reply-To": "Zoë Ní Bhriain <zoe@example.org>"},
    ),
    "a cancellation without HTML": content(ics=CANCELLATION, method="CANCEL", html=""),
    "a plain calendar file": content(ics=PLAIN_CALENDAR),
    "a plain calendar file without HTML": content(ics=PLAIN_CALENDAR, html=""),
    "an address with a tag and capitals": content(to="Sam.Example+reflect@Example.ORG"),
    "an address with an accent": content(to="zoë@bücher.example"),
    "a long Message-ID": content(headers={"Message-ID": "<notification-123456789@" + "sub." * 20 + "example>"}),
}


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_each_shape_of_message_is_written_as_django_writes_it(shape, settings):
    settings.DEFAULT_FROM_EMAIL = "Reflect <no-reply@reflect.test>"
    assert_written_as_django_writes(shape)


def test_a_sender_with_an_accent_and_local_time_are_written_as_django_writes_them(settings):
    settings.DEFAULT_FROM_EMAIL, settings.EMAIL_USE_LOCALTIME = "Réflect Leeds <no-reply@reflect.test>", True
    written = assert_written_as_django_writes(content())
    assert b"From: =?utf-8?q?R=C3=A9flect_Leeds?= <no-reply@reflect.test>\r\n" in written


def test_a_reminder_s_bytes_in_full(settings):
    """What a reminder looks like on the wire, so that a change to it is seen here."""
    settings.DEFAULT_FROM_EMAIL = "Reflect <no-reply@reflect.test>"
    written = normalised(MimeWriter().write(content(subject="Reminder: group", text="Hello Zoë,\n", html="<p>Hi</p>")))
    assert written == (
        b'Content-Type: multipart/alternative;\r\n boundary="boundary-0"\r\n'
        b"MIME-Version: 1.0\r\nSubject: Reminder: group\r\nFrom: Reflect <no-reply@reflect.test>\r\n"
        b"To: sam@example.org\r\nDate: (now)\r\nMessage-ID: <notification-7@reflect.test>\r\n\r\n"
        b'--boundary-0\r\nContent-Type: text/plain; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\nHello Zo\xc3\xab,\r\n\r\n"
        b'--boundary-0\r\nContent-Type: text/html; charset="utf-8"\r\nMIME-Version: 1.0\r\n'
        b"Content-Transfer-Encoding: 7bit\r\n\r\n<p>Hi</p>\r\n--boundary-0--\r\n"
    )


@pytest.mark.parametrize("spec", all_kinds(), ids=lambda spec: spec.code)
def test_every_kind_rendered_from_its_templates_is_written_as_django_writes_it(spec, settings):
    settings.DEFAULT_FROM_EMAIL = "Reflect <no-reply@reflect.test>"
    context = dict(spec.sample_context())
    context.update(context.pop("secret", {}))
    context |= {"recipient": {"first_name": "Zoë", "email": "zoe@example.org"}, "site_url": settings.SITE_URL}
    message = render_kind(spec.code, context, short=False)
    for ics in ("", INVITATION, PLAIN_CALENDAR):
        notification = Notification(pk=41, kind=spec.code, ics=ics)
        assert_written_as_django_writes(email_content(notification, "zoe@example.org", message))


HEADER_TEXT = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=160)
BODY_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=300) | st.builds(
    lambda line, rest: line * 1000 + rest, st.sampled_from(["a", "é", ".", " "]), st.text(max_size=20)
)


@given(subject=HEADER_TEXT, text=BODY_TEXT, html=st.none() | BODY_TEXT, name=HEADER_TEXT)
@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_is_written_as_django_writes_it(subject, text, html, name, settings):
    """Subjects and names as a form may hold them, bodies with any characters and line breaks."""
    settings.DEFAULT_FROM_EMAIL = "Reflect <no-reply@reflect.test>"
    reply_to = email.utils.formataddr((name, "host@example.org"))
    assert_written_as_django_writes(
        content(
            subject=subject,
            text=text,
            html=html or "",
            ics=INVITATION,
            method="REQUEST",
            headers={"Message-ID": "<n-1@x>", "Reply-To": reply_to},
        )
    )


ADDRESSES = [
    "sam@example.org",
    "Sam.Example+reflect@Example.ORG",
    "o'brien@example.co.uk",
    "a!#$%&'*+/=?^_`{|}~-@example.org",
    '"sam example"@example.org',
    "zoë@bücher.example",
    "sam@bücher.example",
    "Reflect <no-reply@reflect.test>",
    "Réflect <no-reply@reflect.test>",
    "sam@" + "a" * 63 + ".example",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_envelope_addresses_are_those_django_s_smtp_backend_gives(address):
    assert envelope_address(address) == sanitize_address(address, "utf-8")
    assert quoted_address(envelope_address(address)) == smtplib.quoteaddr(sanitize_address(address, "utf-8"))


@pytest.mark.parametrize("address", ["sam@" + "a" * 64 + ".example", "sam@example..org", "sam@example.org.", "sam@"])
def test_an_address_django_refuses_is_refused(address):
    with pytest.raises(ValueError) as django_error:
        sanitize_address(address, "utf-8")
    with pytest.raises(ValueError) as error:
        envelope_address(address)
    assert str(error.value) == str(django_error.value)
