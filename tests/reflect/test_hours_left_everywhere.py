"""The same figure for the same quantity on every page (docs/conventions.md, "Wording of numbers
and dates"): the hours an organisation has left read the same on the booking page and the
matches page, both from the ledger's one definition (reflect.services.ledger.HoursBalance.left),
rounded down to the half hour."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reflect import wording
from reflect.services.ledger import hours_balance
from tests.factories.bookings import agree, book, supervisor_with_availability, utc
from tests.supervision.test_matches_views import _assess

pytestmark = pytest.mark.django_db

LEFT = re.compile(r"(\d+(?:\.\d+)?) hours? (?:are )?left")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_the_booking_page_and_the_matches_page_say_the_same_hours_left(client, world):
    # 10.4 allocated, 4 a month promised to an agreement, one 90-minute session booked: 8.9
    # may still be booked (8.5 on the page, rounded down); 10.4 − 4 × the pool's months are
    # not yet promised, a different quantity with a different name.
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="10.4")
    book(agreement, world.member, utc(6, 10), minutes=90)
    balance = hours_balance(world.pool, world.organisation)
    assert balance.left == Decimal("8.9")
    figure = wording.hours_left(balance.left)
    assert figure == "8.5 hours"
    _assess(world)

    client.force_login(world.lead)
    booking = _text(client.get(reverse("supervision_book", args=[agreement.pk])).content.decode())
    matches = _text(client.get(reverse("organisation_matches", args=[world.organisation.pk])).content.decode())

    assert f"has {figure} left of its allocation" in booking
    assert f"{figure} are left in your allocation from {world.pool.name}" in matches
    # No other "left" figure on either page for the organisation's hours.
    assert {m for m in LEFT.findall(booking)} == {"8.5"}
    assert "not yet promised to a supervision agreement" in matches
    assert {m for m in LEFT.findall(matches)} == {"8.5"}
    assert not re.search(r"\d+\.\d*[1-46-9] hours", booking + matches)


def test_hours_left_never_reads_more_than_booking_accepts(client, world):
    # 1.9 hours left: a page saying "2 hours" would offer a 2-hour session booking then refuses.
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="2.9")
    book(agreement, world.member, utc(6, 10), minutes=60)
    client.force_login(world.member)
    page = _text(client.get(reverse("supervision_book", args=[agreement.pk])).content.decode())
    assert "has 1.5 hours left of its allocation" in page


def test_the_leads_summary_and_the_booking_page_say_the_same_hours_left(client, world):
    # 63.82 allocated, one hour booked: 62.82 may still be booked. The booking page wrote "62.5
    # hours" (rounded down, what booking accepts) while the lead's summary rounded the same
    # balance to the nearest half hour and wrote "63 hours".
    agreement = agree(world.pool, world.organisation, supervisor_with_availability(), allocation="63.82")
    book(agreement, world.member, utc(6, 10), minutes=60)
    assert hours_balance(world.pool, world.organisation).left == Decimal("62.82")

    client.force_login(world.lead)
    booking = _text(client.get(reverse("supervision_book", args=[agreement.pk])).content.decode())
    usage = client.get(reverse("organisation_usage", args=[world.organisation.pk]))

    assert "has 62.5 hours left of its allocation" in booking
    [headline] = [h for h in usage.context["look"].headlines if h.label == "Hours left"]
    assert (headline.text, headline.hint) == ("62.5 hours", "to book, after what is already booked")
    assert "Hours left 62.5 hours to book, after what is already booked" in _text(usage.content.decode())
    # The table of each pool gives the same figure in its "Remaining" column.
    table = usage.context["table"]
    remaining = [c.key for c in table.columns].index("remaining")
    assert [row[remaining].text for row in table.rows] == ["62.5"]
