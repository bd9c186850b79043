"""The load test's people: signed-in sessions for the demo pool's staff, its supervisors and its
commissioner (who also commissions the city-scale pool), and the pages each of them uses, as
JSON on stdout. Run after `seed_demo --scale city` on the load test's own database."""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()  # the models below need the settings loaded

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.contrib.sessions.models import Session  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from reflect.errors import DomainError  # noqa: E402
from reflect.models import Membership, Pool, User  # noqa: E402
from scheduling.groups.eligibility import check_session_open  # noqa: E402
from scheduling.models import AvailabilitySettings, GroupSession  # noqa: E402
from supervision.enums import AgreementStatus  # noqa: E402
from supervision.models import SupervisionAgreement, SupervisorProfile  # noqa: E402

BACKEND = "django.contrib.auth.backends.ModelBackend"
DEMO_DOMAIN = "@demo.reflect.test"


def signed_in(user: User) -> str:
    """A session key for this person, as signing in would leave (a session row, no password)."""
    store = SessionStore()
    key = store._get_new_session_key()
    data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: BACKEND, HASH_SESSION_KEY: user.get_session_auth_hash()}
    Session.objects.create(
        session_key=key, session_data=store.encode(data), expire_date=timezone.now() + datetime.timedelta(days=1)
    )
    return key


def _open_for_booking(session: GroupSession, now: datetime.datetime) -> bool:
    try:
        check_session_open(session, now)
    except DomainError:
        return False
    return True


def main() -> None:
    now = timezone.now()
    commissioner = User.objects.get(email=f"commissioner{DEMO_DOMAIN}")
    pools = list(Pool.objects.filter(commissioners=commissioner).order_by("pk"))
    demo_pool = next(pool for pool in pools if "Leeds community" in pool.name)
    sessions = [
        session.pk
        for session in GroupSession.objects.filter(
            group__pool=demo_pool, starts_at__gt=now + datetime.timedelta(days=1)
        )
        .select_related("group")
        .order_by("starts_at")[:200]
        if _open_for_booking(session, now)
    ][:20]
    staff = []
    members = (
        Membership.objects.current()
        .filter(organisation__pool_memberships__pool=demo_pool)
        .select_related("user", "organisation")
    )
    for membership in members.order_by("pk")[:60]:
        agreements = SupervisionAgreement.objects.filter(
            organisation=membership.organisation, status=AgreementStatus.ACTIVE
        ).values_list("pk", flat=True)
        staff.append(
            {
                "session": signed_in(membership.user),
                "group_sessions": [reverse("group_session", args=[pk]) for pk in sessions],
                "slot_pickers": [reverse("supervision_book", args=[pk]) for pk in agreements],
            }
        )
    supervisors = []
    # The demo's own supervisors: the city's have no two-factor set up, so their pages would
    # only ever show the set-up page.
    demo_supervisors = SupervisorProfile.objects.filter(verified_at__isnull=False, user__email__endswith=DEMO_DOMAIN)
    for profile in demo_supervisors.select_related("user"):
        settings_row = AvailabilitySettings.objects.filter(supervisor=profile).first() or AvailabilitySettings(
            supervisor=profile
        )
        supervisors.append(
            {
                "session": signed_in(profile.user),
                # The form as it stands: saving it is a real edit that leaves the hours as they are.
                "settings": {
                    "time_zone": settings_row.time_zone,
                    "session_lengths": [str(length) for length in settings_row.session_lengths],
                    "buffer_minutes": settings_row.buffer_minutes,
                    "minimum_notice_hours": settings_row.minimum_notice_hours,
                    "horizon_weeks": settings_row.horizon_weeks,
                    "max_sessions_per_day": settings_row.max_sessions_per_day or "",
                    "max_sessions_per_week": settings_row.max_sessions_per_week or "",
                    "monthly_capacity_hours": str(profile.monthly_capacity_hours),
                    "online_link": settings_row.online_link,
                    "meeting_place": settings_row.meeting_place,
                },
            }
        )
    commissioners = [
        {
            "session": signed_in(commissioner),
            "dashboards": [reverse("pool_dashboard", args=[pool.pk]) for pool in pools],
        }
    ]
    json.dump({"staff": staff, "supervisors": supervisors, "commissioners": commissioners}, sys.stdout)


if __name__ == "__main__":
    main()
