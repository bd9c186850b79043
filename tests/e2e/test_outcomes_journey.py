"""Outcome questionnaires in the browser (docs/outcomes.md): a member of staff goes from their
home page to the questionnaire, answers it and sees their own scores in words; a commissioner
goes from their home page to the dashboard's outcome page and back — axe-core checked on every page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation
from outcomes.services.invitations import queue_outcome_invitations
from tests.e2e.steps import follow, heading, sign_in, submit, visit
from tests.factories.core import (
    PASSWORD,
    OrganisationFactory,
    PoolFactory,
    UserFactory,
    give_two_factor,
    make_commissioner,
    staff_of,
)
from tests.outcomes.helpers import DISTINCTIVE, answered

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_member_of_staff_answers_and_sees_their_own_scores(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    pool = PoolFactory(name="Leeds pool", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2027, 3, 31))
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    sam = staff_of(organisation, first_name="Sam", email="sam@example.org")
    queue_outcome_invitations()

    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    follow(page, "Answer your wellbeing questionnaire")
    assert heading(page) == "Your wellbeing"
    follow(page, "Answer the questionnaire")
    assert heading(page) == "Professional Quality of Life Scale (ProQOL), version 5"
    # What stopping part-way does, said truly (review of issue #21).
    assert "If you stop before sending, nothing is kept." in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "outcomes-answer-intro-after.png"))
    for number, value in DISTINCTIVE.items():
        page.locator(f'input[name="item_{number}"][value="{value}"]').check()
    page.screenshot(path=str(SCREENSHOTS / "outcomes-questionnaire-after.png"))
    submit(page, "Send my answers")
    main = page.locator("main").inner_text()
    assert "Thank you. Your scores are below; only you can see them." in page.content()
    assert "Moderate (37 out of 50)" in main and "Low (19 out of 50)" in main and "Moderate (41 out of 50)" in main
    assert "Samaritans, any time, day or night: call 116 123 (free)." in main
    page.screenshot(path=str(SCREENSHOTS / "outcomes-own-scores-after.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_declining_then_answering_leaves_nothing_waiting(live_server: Any, person: Callable[[], Any]) -> None:
    """The usability test's loop: an older round declined, the newer one declined ("Not this
    time") then answered; the wellbeing page still listed the older one with a button that
    only said it could no longer be answered."""
    base = live_server.url
    pool = PoolFactory(name="Leeds pool", starts_on=datetime.date(2026, 4, 1), ends_on=datetime.date(2027, 3, 31))
    sam = staff_of(OrganisationFactory(name="Harehills Drama", in_pool=pool), first_name="Sam", email="sam@example.org")
    for number, status in ((0, InvitationStatus.DECLINED), (1, InvitationStatus.OPEN)):
        OutcomeInvitation.objects.create(
            person=sam, pool=pool, round=number, due_on=datetime.date(2026, 5, 3) + relativedelta(months=6 * number),
            measure="proqol-5", status=status,
        )  # fmt: skip

    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    follow(page, "Answer your wellbeing questionnaire")
    submit(page, "Not this time")
    assert "You said not this time. You can still answer." in page.locator("main").inner_text()
    follow(page, "Answer the questionnaire")
    for number, value in DISTINCTIVE.items():
        page.locator(f'input[name="item_{number}"][value="{value}"]').check()
    submit(page, "Send my answers")
    visit(page, base + "/")
    follow(page, "Your wellbeing scores over time")
    main = page.locator("main").inner_text()
    assert "Moderate (37 out of 50)" in main
    assert "Waiting for you" not in main and "Answer the questionnaire" not in main


@pytest.mark.django_db(transaction=True)
def test_a_commissioner_reads_the_outcome_section(live_server: Any, person: Callable[[], Any]) -> None:
    base = live_server.url
    # A pool whose two half-years have ended: only those are shown (docs/outcomes.md).
    pool = PoolFactory(name="Leeds pool", starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2026, 3, 31))
    commissioner = make_commissioner(pool, UserFactory(email="carys@example.org", first_name="Carys"))
    secret = give_two_factor(commissioner)
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    for change in range(1, 11):
        someone = staff_of(organisation)
        answered(someone, pool, organisation, datetime.date(2025, 4, 10), round=0, satisfaction=30)
        answered(someone, pool, organisation, datetime.date(2025, 10, 10), round=1, satisfaction=30 + change)

    page = person()
    sign_in(page, base, commissioner.email, PASSWORD, secret=secret)
    follow(page, "Dashboard for Leeds pool")
    follow(page, "Outcomes: how staff are doing")
    assert heading(page) == "Outcomes: how staff are doing"
    section = page.locator("main").inner_text()
    assert "not from a randomised trial" in section
    assert "+5.5" in section and "+3.3 to +7.7" in section
    assert "Shown: April 2025 to September 2025 and October 2025 to March 2026." in section
    page.locator("#outcome-measures").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "outcomes-dashboard-after.png"))
    follow(page, "Change how often staff are asked, or which questionnaire")
    assert heading(page) == "Outcome questionnaires for Leeds pool"
    follow(page, "Back to outcomes")
    assert heading(page) == "Outcomes: how staff are doing"
