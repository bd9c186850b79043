"""Rebalancing's suggestion as a pure function: figures in, moves out, no database (no test here
asks for one, so any query would fail)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dashboard.rebalancing import Move, OrganisationUse, is_near_period_end, suggest_moves


def use(
    id: int,
    name: str,
    allocated: str,
    used: str = "0",
    reserved: str = "0",
    *,
    waited: bool = False,
    unarranged: bool = False,
) -> OrganisationUse:
    return OrganisationUse(
        id,
        name,
        allocated=Decimal(allocated),
        used_to_date=Decimal(used),
        reserved=Decimal(reserved),
        waited_recently=waited,
        supervision_unarranged=unarranged,
    )


def moves(organisations: list[OrganisationUse]) -> list[tuple[str, str, str]]:
    return [(m.from_name, m.to_name, str(m.hours)) for m in suggest_moves(organisations)]


def test_what_shows_an_organisation_needs_more() -> None:
    assert use(1, "A", "10", used="8").needs == ("80% or more of its allocation used or booked",)
    assert use(1, "A", "10", used="5", reserved="3").needs == ("80% or more of its allocation used or booked",)
    assert use(1, "A", "10", used="7.99").needs == ()
    assert use(1, "A", "0").needs == ()  # no allocation: not 80 % of nothing
    assert use(1, "A", "0", waited=True, unarranged=True).needs == (
        "staff on a waitlist in the last 90 days",
        "clinical supervision recommended, no agreement yet",
    )
    assert use(1, "A", "40", used="2", reserved="3").unused == Decimal("35")


def test_half_of_what_quiet_organisations_have_left_is_shared_among_those_that_need_more() -> None:
    organisations = [
        use(5, "Beeston", "21"),  # gives 10 (half of 21, in whole hours)
        use(3, "Armley", "40", used="2"),  # gives 19
        use(7, "Otley", "10", used="8"),  # needs: 80 % used
        use(8, "Holbeck", "30", unarranged=True),  # needs: supervision not arranged
        use(9, "Chapeltown", "30", waited=True),  # needs: a waitlist
        use(4, "Seacroft", "20", used="10"),  # half used: neither gives nor needs
    ]
    # 29 hours spare, 9 for each of three (in name order); donors give in name order.
    assert moves(organisations) == [
        ("Armley", "Chapeltown", "9.00"),
        ("Armley", "Holbeck", "9.00"),
        ("Armley", "Otley", "1.00"),
        ("Beeston", "Otley", "8.00"),
    ]
    assert [m.token for m in suggest_moves(organisations)] == ["3:9:9.00", "3:8:9.00", "3:7:1.00", "5:7:8.00"]
    assert suggest_moves(reversed(organisations)) == suggest_moves(organisations)


def test_fewer_spare_hours_than_recipients_give_one_hour_each_to_the_first() -> None:
    organisations = [
        use(1, "Armley", "5"),  # gives 2
        use(2, "Beeston", "3", waited=True),
        use(3, "Chapeltown", "3", waited=True),
        use(4, "Drighlington", "3", waited=True),
    ]
    assert moves(organisations) == [("Armley", "Beeston", "1.00"), ("Armley", "Chapeltown", "1.00")]


def test_reserved_hours_are_not_spare_and_the_same_name_is_ordered_by_id() -> None:
    organisations = [
        use(2, "Armley", "30", reserved="10"),  # gives 10
        use(1, "Armley", "9", reserved="1"),  # gives 4
        use(3, "Beeston", "1", waited=True),
    ]
    assert [(m.from_id, m.to_id, m.hours) for m in suggest_moves(organisations)] == [
        (1, 3, Decimal("4.00")),
        (2, 3, Decimal("10.00")),
    ]


@pytest.mark.parametrize(
    "organisations",
    [
        [],
        [use(1, "Armley", "40")],  # no one needs more
        [use(1, "Armley", "40", waited=True)],  # no one to give
        [use(1, "Armley", "1.5"), use(2, "Beeston", "1", waited=True)],  # under an hour spare
        [use(1, "Armley", "10", used="5"), use(2, "Beeston", "1", waited=True)],  # used half: keeps it
        [use(1, "Armley", "40", unarranged=True), use(2, "Beeston", "1", waited=True)],  # needs its own
    ],
)
def test_no_moves(organisations: list[OrganisationUse]) -> None:
    assert suggest_moves(organisations) == []


def test_a_move_is_named_by_its_token() -> None:
    assert Move(3, "Armley", 9, "Chapeltown", Decimal("9.00")).token == "3:9:9.00"


@pytest.mark.parametrize(
    ("today", "near"),
    [
        (datetime.date(2026, 12, 31), False),
        (datetime.date(2027, 1, 1), True),
        (datetime.date(2027, 3, 31), True),
        (datetime.date(2027, 4, 1), False),
    ],
)
def test_near_the_period_end_is_its_last_three_months(today: datetime.date, near: bool) -> None:
    assert is_near_period_end(datetime.date(2026, 4, 1), datetime.date(2027, 3, 31), today) is near


def test_a_period_of_under_three_months_is_near_its_end_throughout() -> None:
    starts, ends = datetime.date(2026, 5, 10), datetime.date(2026, 6, 20)
    assert is_near_period_end(starts, ends, datetime.date(2026, 5, 1))  # its first month, before its first day
    assert is_near_period_end(starts, ends, datetime.date(2026, 6, 20))
    assert not is_near_period_end(starts, ends, datetime.date(2026, 4, 30))
    assert not is_near_period_end(starts, ends, datetime.date(2026, 6, 21))
