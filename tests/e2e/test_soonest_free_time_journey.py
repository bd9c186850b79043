"""A member of staff goes from their home page to their supervision page, which says the
soonest time they can book across their organisation's agreements, and books it from there —
in a real browser, axe-checked on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from scheduling.models import AvailabilitySettings, SupervisionBooking
from scheduling.services.booking_notices import booking_when
from scheduling.services.bookings import offer_times
from tests.e2e.steps import follow, heading, sign_in, submit
from tests.factories.bookings import agree, running_pool_with_member, supervisor_with_availability
from tests.factories.core import PASSWORD

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_staff_book_the_soonest_free_time_from_their_supervision_page(live_server: Any, person: Any) -> None:
    base = live_server.url
    pool, organisation, member = running_pool_with_member()
    # Ann is listed first but needs a week's notice; Bea needs a day's: Bea has the soonest time.
    ann_supervisor = supervisor_with_availability("Ann")
    AvailabilitySettings.objects.filter(supervisor=ann_supervisor).update(minimum_notice_hours=168)
    ann = agree(pool, organisation, ann_supervisor, allocation="12")
    bea = agree(pool, organisation, supervisor_with_availability("Bea"), allocation=None)
    for agreement in (ann, bea):
        agreement.starts_on = pool.starts_on
        agreement.save()
    soonest = offer_times(bea, [member], now=timezone.now()).offered[0]
    assert soonest.start < offer_times(ann, [member], now=timezone.now()).offered[0].start

    page = person()
    sign_in(page, base, member.email, PASSWORD)
    follow(page, "Book a supervision session")
    assert heading(page) == "Supervision"
    box = page.locator("#soonest-free-time")
    assert box.inner_text().startswith(f"The soonest free time is {booking_when(soonest)} with Bea Carter")
    page.screenshot(path=str(SCREENSHOTS / "supervision-soonest-free-time-after.png"), full_page=True)

    follow(page, "Book the soonest free time")
    assert heading(page) == booking_when(soonest)
    submit(page, "Book this session")
    booking = SupervisionBooking.objects.get()
    assert (booking.supervisor, booking.starts_at, booking.minutes) == (bea.supervisor, soonest.start, 60)
    assert heading(page) == booking_when(soonest)
