"""Re-encode the supervisor photos stored before uploads were re-encoded (docs/security.md,
"Uploaded photos"). Run once after deploying; running it again changes nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from supervision.services.photos import reencode_stored_photos


class Command(BaseCommand):
    help = "Re-encode stored supervisor photos that predate re-encoding; remove any that is not a photo."

    def handle(self, *args: Any, **options: Any) -> None:
        reencoded, removed = reencode_stored_photos()
        self.stdout.write(f"Re-encoded {reencoded} photo(s); removed {removed} that were not photos.")
