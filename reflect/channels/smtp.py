"""One message's SMTP transaction, its commands sent together when the server allows it.

``smtplib`` speaks one command at a time: MAIL, wait, RCPT, wait, DATA, wait, the message, wait;
four round trips a message, each a write, a read and the worker's time to parse the answer.
Most mail servers (Postfix, Exim, the big providers) advertise PIPELINING (RFC 2920): a client
may then send MAIL, RCPT and DATA together and read the three answers after, so a message
takes two round trips. No well-kept Python library pipelines (``smtplib`` never has,
``aiosmtplib`` neither, and it would bring an event loop into the worker), and the part that
pipelines is small, so it is here, on top of ``smtplib``'s connection: ``smtplib`` still
connects, greets, starts TLS and logs in, as Django's SMTP backend has it do, and it still
sends alone to a server that does not advertise PIPELINING.

``send_message`` raises what ``smtplib.SMTP.sendmail`` raises for the same answers
(``SMTPSenderRefused``, ``SMTPRecipientsRefused``, ``SMTPDataError``, ``SMTPServerDisconnected``),
so callers handle both alike. Every answer is read, in order, before the next message: an answer
is never taken for another message's.
"""

from __future__ import annotations

import contextlib
import functools
import re
import smtplib

from django.core.mail.message import sanitize_address

# An address whose envelope form is itself: an ASCII dot-atom, "@", ASCII labels of 1 to 63
# characters. Django's sanitize_address (and smtplib's quoteaddr) leave such an address as it is,
# at a cost of some 50 µs a message; any other goes through them.
PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
)


def envelope_address(address: str) -> str:
    """The address as Django's SMTP backend gives it to ``smtplib`` (``sanitize_address``)."""
    return address if PLAIN_ADDRESS.fullmatch(address) else sanitize_address(address, "utf-8")


def quoted_address(address: str) -> str:
    """In its angle brackets, as ``smtplib`` writes it in MAIL and RCPT (``quoteaddr``)."""
    return f"<{address}>" if PLAIN_ADDRESS.fullmatch(address) else _quoteaddr(address)


# Kept for the sender, written in full ("Reflect <no-reply@…>") and quoted for every message.
_quoteaddr = functools.lru_cache(maxsize=64)(smtplib.quoteaddr)


def send_message(connection: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """Send one message to one recipient over an open connection. ``sender`` and ``recipient``
    as ``envelope_address`` gives them; ``data`` the message with CRLF line ends."""
    connection.ehlo_or_helo_if_needed()
    if not connection.has_extn("pipelining"):
        connection.sendmail(sender, [recipient], data)
        return
    # SIZE as smtplib gives it, when the server takes it (RFC 1870).
    size = f" SIZE={len(data)}" if connection.has_extn("size") else ""
    connection.send(f"MAIL FROM:{quoted_address(sender)}{size}\r\nRCPT TO:{quoted_address(recipient)}\r\nDATA\r\n")
    mail = connection.getreply()
    if mail[0] == 421:  # closing: the other two answers will not come
        connection.close()
        raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    rcpt = connection.getreply()
    if rcpt[0] == 421:
        connection.close()
        raise smtplib.SMTPRecipientsRefused({recipient: rcpt})
    data_answer = connection.getreply()
    refused: smtplib.SMTPException | None = None
    if mail[0] != 250:
        refused = smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
    elif rcpt[0] not in (250, 251):
        refused = smtplib.SMTPRecipientsRefused({recipient: rcpt})
    elif data_answer[0] != 354:
        refused = smtplib.SMTPDataError(*data_answer)
    if refused is not None:
        if data_answer[0] == 354:
            # A server that wants the message after refusing its sender or recipient (RFC 2920
            # forbids it) gets an empty one, so that its next answer is to our next command.
            connection.send(b".\r\n")
            connection.getreply()
        if data_answer[0] == 421:
            connection.close()
        else:
            _reset(connection)
        raise refused
    connection.send(_dot_stuffed(data))
    code, reply = connection.getreply()
    if code != 250:
        if code == 421:
            connection.close()
        else:
            _reset(connection)
        raise smtplib.SMTPDataError(code, reply)


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: a line that begins with "." gets another (RFC 5321
    4.5.2), and a line holding "." alone ends it."""
    stuffed = data.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    if not stuffed.endswith(b"\r\n"):
        stuffed += b"\r\n"
    return stuffed + b".\r\n"


def _reset(connection: smtplib.SMTP) -> None:
    # As smtplib does after a refusal: end the transaction so the connection serves the next
    # message; a connection that has gone is found out then.
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        connection.rset()
