"""An e-mail backend a worker in another process can deliver to, and a test can read.

Each message becomes a file in ``$REFLECT_TEST_MAIL_DIR``. While a file named ``hold`` exists
there, the backend first writes ``started-<pid>`` and waits: the test can then kill the worker
in the middle of a delivery. A number in ``hold`` lets that many messages through first (the
middle of a batch).
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from django.core.mail.backends import smtp
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class DirectoryBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        directory = Path(os.environ["REFLECT_TEST_MAIL_DIR"])
        for message in email_messages:
            hold = directory / "hold"
            if hold.exists() and len(delivered(directory)) >= int(hold.read_text() or 0):
                (directory / f"started-{os.getpid()}").write_text(message.subject)
                while hold.exists():
                    time.sleep(0.05)
            (directory / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(email_messages)


def delivered(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


class DjangoSmtpBackend(smtp.EmailBackend):
    """Django's SMTP backend under another name. ``MailBatch`` speaks SMTP itself only over
    Django's own backend; through this one it hands Django's message to smtplib, one command at
    a time, the way before: the baseline of bench/bench_notifications.py."""
