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
from scheduling.next_free import remember_next_free
from scheduling.services import next_free_memory, soonest
from scheduling.services.availability import add_date_override
from scheduling.services.bookings import cancel_supervision, offer_times
from scheduling.services.next_free_memory import keep, kept, remembered
from scheduling.services.soonest import PICKERS_A_VIEW, soonest_bookable_time
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


# --- Hours used up: no agreement offers a time ----------------------------------------------

# The page without any slot picker: the session, the person, their memberships, the
# agreements; their sessions to come; the navigation's two.
HOME_QUERIES_NO_PICKER = 7
PICKER_QUERIES = 5


@pytest.fixture
def hours_used_up(world: World):
    """The organisation has one hour in the pool, and Chris has booked it with Ann: no agreement
    offers Sam a time. Bea, Cal and Dee are agreed with the same organisation."""
    now = timezone.now()
    ann = agree(world.pool, world.organisation, supervisor_with_availability("Ann"), allocation="1")
    others = [
        agree(world.pool, world.organisation, supervisor_with_availability(name), allocation=None)
        for name in ("Bea", "Cal", "Dee")
    ]
    booking = book(ann, world.colleague, first_offered(ann, world.colleague, now).start, now=now)
    cache.clear()  # nothing remembered yet
    return ann, others, booking


def test_with_the_hours_used_up_a_view_runs_no_picker_once_remembered(
    client, world: World, hours_used_up, django_assert_num_queries
) -> None:
    """The first views try at most PICKERS_A_VIEW agreements each, and remember that each
    offered Sam nothing; from then on a view costs the page's own queries, with four agreements
    or five."""
    client.force_login(world.member)
    with django_assert_num_queries(HOME_QUERIES_NO_PICKER + PICKERS_A_VIEW * PICKER_QUERIES):
        first = client.get(reverse("supervision_home"))
    assert first.context["soonest"] is None
    with django_assert_num_queries(HOME_QUERIES_NO_PICKER + (4 - PICKERS_A_VIEW) * PICKER_QUERIES):
        client.get(reverse("supervision_home"))  # the one agreement not tried yet
    with django_assert_num_queries(HOME_QUERIES_NO_PICKER):
        page = client.get(reverse("supervision_home"))
    assert page.context["soonest"] is None
    assert "soonest free time" not in page.content.decode()
    agree(world.pool, world.organisation, supervisor_with_availability("Eve"), allocation=None)
    client.get(reverse("supervision_home"))
    with django_assert_num_queries(HOME_QUERIES_NO_PICKER):
        client.get(reverse("supervision_home"))


def test_a_first_view_of_many_agreements_runs_a_bounded_number_of_pickers(
    client, world: World, hours_used_up, django_assert_num_queries
) -> None:
    """Nothing remembered and eight agreements: still PICKERS_A_VIEW pickers, not eight."""
    for name in ("Eve", "Fay", "Gil", "Hal"):
        agree(world.pool, world.organisation, supervisor_with_availability(name), allocation=None)
    client.force_login(world.member)
    with django_assert_num_queries(HOME_QUERIES_NO_PICKER + PICKERS_A_VIEW * PICKER_QUERIES):
        client.get(reverse("supervision_home"))


def test_hours_given_back_by_a_cancellation_are_seen_at_once(
    world: World, hours_used_up, django_capture_on_commit_callbacks
) -> None:
    """Bea offered Sam nothing, and that is remembered; Chris cancels his session with Ann, the
    organisation's hour comes back, and Bea (as well as Ann) is asked again at once, not five
    minutes later."""
    ann, others, booking = hours_used_up
    agreements = [ann, *others]
    now = timezone.now()
    for _ in range(2):  # the four agreements tried, over two views
        assert soonest_bookable_time(world.member, agreements, now=now) is None
    assert set(
        remembered(
            [], [(a.pk, a.supervisor_id, a.organisation_id) for a in agreements], user_id=world.member.pk
        ).offered
    ) == {a.pk for a in agreements}
    with django_capture_on_commit_callbacks(execute=True):
        cancel_supervision(booking, acting_user=world.colleague, now=now)
    found = soonest_bookable_time(world.member, others, now=now)  # Ann's agreement left out
    assert found is not None
    assert (found.agreement, found.slot) == (others[0], first_offered(others[0], world.member, now))


# --- A page that read before a change must not keep what it read ----------------------------


def test_a_page_reading_before_a_cancellation_does_not_keep_the_old_times(
    world: World, two_agreements, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """Chris has Ann's first time. Sam's page reads Ann's times (her second is her first free),
    Chris's cancellation commits and forgets Ann, and only then does the page keep what it read.
    The old, later times are not kept: the next view gives Ann's first time back."""
    ann, bea = two_agreements
    now = timezone.now()
    first = first_offered(ann, world.member, now)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(ann, world.colleague, first.start, now=now)
    real_offer_times = soonest.offer_times

    def offer_then_cancel(agreement, attendees, *, now):
        offering = real_offer_times(agreement, attendees, now=now)  # the database read
        if agreement == ann:
            with django_capture_on_commit_callbacks(execute=True):  # change + forget
                cancel_supervision(booking, acting_user=world.colleague, now=now)
        return offering

    monkeypatch.setattr(soonest, "offer_times", offer_then_cancel)
    stale = soonest_bookable_time(world.member, [ann], now=now)  # … and keep
    assert stale.slot.start > first.start  # what it read: Ann's first time was taken
    monkeypatch.setattr(soonest, "offer_times", real_offer_times)
    assert ann.supervisor_id not in kept([ann.supervisor_id])
    again = soonest_bookable_time(world.member, [ann, bea], now=now)
    assert (again.agreement, again.slot.start) == (ann, first.start)


def test_what_is_kept_after_a_change_slips_in_past_the_check_is_not_believed(
    world: World, two_agreements, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """Should the change land between keep()'s check and its write, the entry's versions give
    it away: it is written, but never read back as Ann's."""
    ann, _ = two_agreements
    now = timezone.now()
    memory = remembered([ann.supervisor_id], [], user_id=world.member.pk)  # before the database
    read = remember_next_free(ann.supervisor_id, offer_times(ann, [world.member], now=now).engine_input, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        add_date_override(ann.supervisor, acting_user=ann.supervisor.user, date=read.starts[0].date(), away=True)
    monkeypatch.setattr(next_free_memory, "_unchanged", lambda versions: versions)  # the check passes
    keep([read], memory.versions)
    assert cache.get(next_free_memory._key(ann.supervisor_id)) is not None  # written …
    assert kept([ann.supervisor_id]) == {}  # … and not believed
    memory = remembered([ann.supervisor_id], [], user_id=world.member.pk)
    keep([read], memory.versions)
    assert kept([ann.supervisor_id]) == {ann.supervisor_id: read}
