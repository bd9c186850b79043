"""Refresh the supervisors' busy calendars that are due: once, or (``--loop``) until stopped.

With Redis and workers, beat queues the refreshes and this command is not needed. In the
embedded demo there is no worker, and a fetch must never run inside a web request (a slow
calendar server would hold the page: docs/security.md, "Calendars"), so ``make demo`` runs
``refresh_busy_calendars --loop`` beside the web server and the delivery loop — its own
process, so that a slow calendar never delays a reminder either. It also syncs the connected
(two-way) calendars that are due, for the same reason.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from scheduling.services.busy_calendar import refresh_due_feeds
from scheduling.services.calendar_sync import sync_due_calendars

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Read the busy calendars that are due; with --loop, keep doing it until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running, checking every --interval seconds.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between checks (default 10).")

    def handle(self, *args: Any, loop: bool = False, interval: float = 10.0, **options: Any) -> None:
        if not loop:
            self.stdout.write(f"Read {refresh_due_feeds()} busy calendar(s).")
            self.stdout.write(f"Synced {sync_due_calendars()} connected calendar(s).")
            return
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.stdout.write(f"Reading busy calendars when due, checking every {interval:g} s (Ctrl+C to stop).")
        while not stopping.is_set():
            try:
                refresh_due_feeds()
                sync_due_calendars()
            except Exception:
                # A locked SQLite database or a database restart: try again next time round.
                logger.exception("The busy-calendar refresh failed; trying again in %s s.", interval)
            stopping.wait(interval)
