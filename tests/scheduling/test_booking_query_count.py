"""book_supervision's statement count may not grow: the slot picker's checks (issue 18) share
its hours rules but must not add work to the booking itself. Measured on SQLite before that
change: 61 statements for this booking; after it, 60 (the supervisor's settings are read once
fewer)."""

from __future__ import annotations

from tests.conftest import World
from tests.factories.bookings import book, utc


def test_booking_takes_no_more_statements_than_before_the_picker_shared_its_rules(
    world: World, agreement, django_assert_max_num_queries
) -> None:
    book(agreement, world.colleague, utc(5, 10))  # the second booking of the supervisor's week
    with django_assert_max_num_queries(61):
        book(agreement, world.member, utc(6, 10))
