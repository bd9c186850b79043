"""Cancelling a supervision session asks first, on a page that states the consequence (issue
18): GET shows who is told and what happens to the hours and changes nothing; POST cancels."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from reflect import wording
from reflect.models import Notification
from scheduling.models import BookingStatus
from scheduling.services.bookings import BookingChoice, book_supervision
from tests.conftest import World
from tests.factories.core import signed_in
from tests.scheduling.test_booking_views import next_week_at


def _booked(agreement, user, attendees, start=None, minutes=90):
    return book_supervision(
        agreement,
        BookingChoice(starts_at=start or next_week_at(2, 10), minutes=minutes, attendees=attendees),
        acting_user=user,
    )


def consequences(response) -> list[str]:
    return [response.context["who_is_told"], response.context["hours_then"]]


def test_staff_see_the_consequence_and_nothing_changes_until_they_confirm(client, world: World, agreement) -> None:
    booking = _booked(agreement, world.member, [world.member])
    client.force_login(world.member)
    url = reverse("supervision_session_cancel", args=[booking.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert consequences(page) == [
        "Ann Carter (the supervisor), in the way they chose to be contacted.",
        f"Its {wording.hours(1.5)} go back to Harehills Drama's allocation in Leeds pool.",
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    assert not Notification.objects.filter(kind="supervision_cancelled").exists()

    response = client.post(url, {"reason": ""})
    assert response.status_code == 302 and response["Location"] == reverse("supervision_session", args=[booking.pk])
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_lead_cancelling_for_a_member_is_told_the_member_hears(client, world: World, agreement) -> None:
    booking = _booked(agreement, world.lead, [world.member], minutes=60)
    client.force_login(world.lead)
    page = client.get(reverse("supervision_session_cancel", args=[booking.pk]))
    assert consequences(page) == [
        "Sam Example and Ann Carter (the supervisor), each in the way they chose to be contacted.",
        f"Its {wording.hours(1)} goes back to Harehills Drama's allocation in Leeds pool.",
    ]


def test_late_cancelling_says_the_hours_are_used(client, world: World, agreement) -> None:
    booking = _booked(agreement, world.member, [world.member])
    # Two hours before it starts: inside the pool's 24 hours' notice.
    booking.starts_at = timezone.now() + timezone.timedelta(hours=2)
    booking.ends_at = booking.starts_at + timezone.timedelta(minutes=90)
    booking.save()
    client.force_login(world.member)
    page = client.get(reverse("supervision_session_cancel", args=[booking.pk]))
    assert consequences(page)[1] == (
        f"The session is less than 24 hours away, so its {wording.hours(1.5)} count as used and do not go back "
        "to Harehills Drama's allocation."
    )


def test_the_supervisor_sees_who_is_told_and_that_the_hours_return(client, world: World, agreement) -> None:
    booking = _booked(agreement, world.member, [world.member])
    signed_in(client, agreement.supervisor.user)
    url = reverse("supervision_session_cancel", args=[booking.pk])
    page = client.get(url)
    assert consequences(page) == [
        "Sam Example, in the way they chose to be contacted.",
        f"Its {wording.hours(1.5)} go back to Harehills Drama's allocation in Leeds pool.",
    ]
    assert client.post(url, {"reason": "Unwell"}).status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_by_supervisor) == (BookingStatus.CANCELLED, True)


def test_in_a_group_session_staff_are_told_how_many_not_who(client, world: World) -> None:
    from tests.factories.bookings import agree, supervisor_with_availability

    group = agree(world.pool, world.organisation, supervisor_with_availability(), format="group_supervision")
    booking = _booked(group, world.member, [world.member, world.colleague], minutes=60)
    client.force_login(world.member)
    page = client.get(reverse("supervision_session_cancel", args=[booking.pk]))
    assert consequences(page)[0] == (
        "1 other person booked and Ann Carter (the supervisor), each in the way they chose to be contacted."
    )
    assert "Chris" not in page.content.decode()
