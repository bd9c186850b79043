"""The soonest free time on a member of staff's supervision page (scheduling/services/soonest.py):
the slot picker's first time across their agreements, with a link that books it, and kept fresh
when bookings and availability change."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from reflect.local_time import LONDON
from scheduling.models import DateOverride, SupervisionBooking
from scheduling.services.availability import add_date_override
from scheduling.services.bookings import cancel_supervision, offer_times
from scheduling.services.next_free_memory import kept
from scheduling.services.soonest import soonest_bookable_time
from tests.conftest import World
from tests.factories.bookings import agree, book, supervisor_with_availability

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """The cache outlives each test's database: ids come round again, and what was remembered
    of another test's supervisor must not be read as this one's."""
    cache.clear()


@pytest.fixture
def two_agreements(world: World):
    """Ann and Bea Carter, both free on weekdays 09:00–17:00, under the same organisation: the
    page lists Ann's agreement first, so a tie goes to her."""
    ann = agree(world.pool, world.organisation, supervisor_with_availability("Ann"))
    bea = agree(world.pool, world.organisation, supervisor_with_availability("Bea"), allocation=None)
    return ann, bea


def first_offered(agreement, user, now):
    return offer_times(agreement, [user], now=now).offered[0]


def test_the_page_shows_the_soonest_time_and_books_it(client, world: World, two_agreements) -> None:
    ann, _ = two_agreements
    client.force_login(world.member)
    page = client.get(reverse("supervision_home"))
    soonest = page.context["soonest"]
    first = first_offered(ann, world.member, timezone.now())
    assert soonest["agreement"] == ann
    assert (soonest["start"], soonest["minutes"]) == (first.start.strftime("%Y-%m-%dT%H:%MZ"), 60)
    body = page.content.decode()
    assert f"The soonest free time is <strong>{soonest['when']}</strong> with Ann Carter" in body
    encoded = soonest["start"].replace(":", "%3A")
    link = reverse("supervision_book_confirm", args=[ann.pk]) + f"?start={encoded}&amp;minutes=60"
    assert link in body
    # The link opens the booking form for that time, which books it.
    confirm = client.get(link.replace("&amp;", "&"))
    assert confirm.status_code == 200 and confirm.context["when"] == soonest["when"]
    response = client.post(
        link.replace("&amp;", "&"),
        {"start": soonest["start"], "minutes": "60", "attendees": [world.member.pk], "mode": "online"},
    )
    booking = SupervisionBooking.objects.get()
    assert response.status_code == 302 and booking.starts_at == first.start and booking.supervisor == ann.supervisor


def test_a_booking_and_its_cancellation_move_the_soonest_time(
    world: World, two_agreements, django_capture_on_commit_callbacks
) -> None:
    """Booking Ann's first time leaves Bea's (the same time) soonest; cancelling it gives Ann's
    back. Were what is remembered of Ann not forgotten on cancelling, her bound would still be
    her second time, later than Bea's, and she would not be asked."""
    ann, bea = two_agreements
    now = timezone.now()
    assert soonest_bookable_time(world.member, [ann, bea], now=now).agreement == ann
    assert set(kept([ann.supervisor_id, bea.supervisor_id])) == {ann.supervisor_id, bea.supervisor_id}
    first = first_offered(ann, world.member, now)
    with django_capture_on_commit_callbacks(execute=True):  # forgotten once committed
        booking = book(ann, world.colleague, first.start, now=now)
    assert ann.supervisor_id not in kept([ann.supervisor_id])
    soonest = soonest_bookable_time(world.member, [ann, bea], now=now)
    assert (soonest.agreement, soonest.slot.start) == (bea, first.start)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_supervision(booking, acting_user=world.colleague, now=now)
    soonest = soonest_bookable_time(world.member, [ann, bea], now=now)
    assert (soonest.agreement, soonest.slot.start) == (ann, first.start)


def test_a_change_of_availability_is_seen_at_once(
    world: World, two_agreements, django_capture_on_commit_callbacks
) -> None:
    """Ann takes her first free day off: Bea is soonest. An edit outside the services (here
    straight in the database) is seen once what is remembered expires (here: the cache emptied)."""
    ann, bea = two_agreements
    now = timezone.now()
    first = first_offered(ann, world.member, now)
    day = first.start.astimezone(LONDON).date()
    soonest_bookable_time(world.member, [ann, bea], now=now)  # both remembered
    with django_capture_on_commit_callbacks(execute=True):
        add_date_override(ann.supervisor, acting_user=ann.supervisor.user, date=day, away=True)
    assert soonest_bookable_time(world.member, [ann, bea], now=now).agreement == bea
    DateOverride.objects.filter(supervisor=ann.supervisor).delete()  # not through a service
    cache.clear()
    assert soonest_bookable_time(world.member, [ann, bea], now=now).agreement == ann


def test_no_agreement_or_no_time_shows_nothing(client, world: World, two_agreements) -> None:
    client.force_login(world.outsider)
    page = client.get(reverse("supervision_home"))
    assert page.context["soonest"] is None
    assert "soonest free time" not in page.content.decode()


# The session, the person, their memberships, the agreements; the five the slot picker reads for
# the soonest agreement (settings, weekly hours and days off, bookings and busy times, "no
# sessions before", the hours used); their sessions to come; and the navigation's two.
HOME_QUERIES = 12


def test_the_page_costs_the_same_queries_with_two_agreements_or_three(
    client, world: World, two_agreements, django_assert_num_queries
) -> None:
    """Remembered already: one picker's work, for the soonest agreement, whatever the number."""
    client.force_login(world.member)
    client.get(reverse("supervision_home"))  # remembers both supervisors
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("supervision_home"))
    agree(world.pool, world.organisation, supervisor_with_availability("Cal"), allocation=None)
    client.get(reverse("supervision_home"))
    with django_assert_num_queries(HOME_QUERIES):
        client.get(reverse("supervision_home"))
