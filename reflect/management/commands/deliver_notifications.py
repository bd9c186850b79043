"""Send the notifications that are due: once, or (``--loop``) every few seconds until stopped.

With Redis and workers, beat runs the sweep every minute and this command is not needed
(it would only publish dispatch tasks). In the embedded demo there is no worker and no beat:
``make demo`` runs ``deliver_notifications --loop`` beside the web server, so that reminders
go out when they fall due — printed to the console — with no extra command from anyone.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from reflect.services.notifications import sweep_due_notifications

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send due notifications (the outbox sweep); with --loop, keep doing it until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, sweeping every --interval seconds.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between sweeps (default 5).")

    def handle(self, *args: Any, loop: bool = False, interval: float = 5.0, **options: Any) -> None:
        if not loop:
            self.stdout.write(f"Dispatched {len(sweep_due_notifications())} due notification(s).")
            return
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.stdout.write(f"Delivering due notifications every {interval:g} s (Ctrl+C to stop).")
        while not stopping.is_set():
            try:
                sweep_due_notifications()
            except Exception:
                # A locked SQLite database or a database restart: try again next time round.
                logger.exception("The notification sweep failed; trying again in %s s.", interval)
            stopping.wait(interval)
