"""The dashboard's check-in averages (docs/dashboard.md, "Private by construction"): for the
pool's latest half-year that has ended, so that two looks either side of one person's check-in
show the same figures."""

from __future__ import annotations

import datetime

import pytest

from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from supervision.models import AgreementCheckIn
from tests.factories.core import OrganisationFactory, PoolFactory, staff_of
from tests.factories.supervision import SupervisionAgreementFactory

pytestmark = pytest.mark.django_db

LABELS = (
    "Check-ins: standards and safety (normative)",
    "Check-ins: learning (formative)",
    "Check-ins: support (restorative)",
)


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


def _check_ins(agreement, ratings: list[int], recorded_on: datetime.date) -> None:
    for rating in ratings:
        check_in = AgreementCheckIn.objects.create(
            agreement=agreement,
            respondent=staff_of(agreement.organisation),
            review_on=agreement.review_on,
            normative=rating,
            formative=rating,
            restorative=rating,
        )
        AgreementCheckIn.objects.filter(pk=check_in.pk).update(created_at=_noon(recorded_on))


def _seen(pool, on: datetime.date) -> tuple[list[tuple[str, str]], list[str]]:
    section = PoolFigures(pool, whole_pool(pool), now=_noon(on)).supervision.section()
    shown = [(f.label, f.cell.text) for f in section.figures if f.label in LABELS]
    return shown, [note for note in section.notes if "heck-in" in note]


def test_the_averages_are_of_the_latest_ended_half_year_and_a_later_check_in_leaves_them() -> None:
    pool = PoolFactory(starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2026, 3, 31))
    organisation = OrganisationFactory(in_pool=pool)
    agreement = SupervisionAgreementFactory(
        pool=pool, organisation=organisation, starts_on=datetime.date(2025, 4, 1), review_on=datetime.date(2025, 5, 1)
    )
    _check_ins(agreement, [1, 2, 3, 4, 4, 4, 3, 3], datetime.date(2025, 5, 10))  # mean 3.0

    shown, notes = _seen(pool, datetime.date(2025, 9, 20))  # the half-year is still under way
    assert shown == []
    assert notes == [
        "Check-in averages are shown for each half-year of the pool once it has ended. The next, for April 2025 "
        "to September 2025, appear on Wednesday 1 October 2025.",
        "Check-in averages appear once a half-year has 8 responses.",
    ]

    shown, notes = _seen(pool, datetime.date(2025, 10, 5))
    assert shown == [(label, "3.0") for label in LABELS]
    assert notes == [
        "Check-ins recorded April 2025 to September 2025, the latest half-year of the pool to have ended. The next, "
        "for October 2025 to March 2026, appear on Wednesday 1 April 2026."
    ]
    # One person checks in on 3 October: a running mean would now be (24 + 1) ÷ 9 = 2.8, and
    # the two looks would give their rating away. The ended half-year's figures stay.
    _check_ins(agreement, [1], datetime.date(2025, 10, 3))
    assert _seen(pool, datetime.date(2025, 10, 5)) == (shown, notes)
