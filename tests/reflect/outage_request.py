"""Run as ``python -m tests.reflect.outage_request <user id> <organisation id>`` with the
environment of a deployment whose Redis is down: makes one real request that notifies (an
organisation lead inviting someone) and prints its status and duration as JSON."""

from __future__ import annotations

import json
import sys
import time

import django

django.setup()

from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from reflect.models import User  # noqa: E402


def main(user_id: int, organisation_id: int) -> None:
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    # Warm up (URLconf, templates) so that the timing is of the request, not of a cold start.
    client.get(reverse("organisation_invite", args=[organisation_id]))
    started = time.monotonic()
    response = client.post(reverse("organisation_invite", args=[organisation_id]), {"email": "outage@example.org"})
    print(json.dumps({"status": response.status_code, "seconds": time.monotonic() - started}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
