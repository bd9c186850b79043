"""A person's own pages: from home to the questionnaire, answering, declining, and their scores
over time with what they mean; the commissioner's schedule page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import OutcomeInvitation, OutcomeResponse, PoolOutcomeSettings
from outcomes.services.invitations import queue_outcome_invitations, set_schedule
from outcomes.services.responses import record_response
from reflect.errors import DomainError
from tests.factories.core import signed_in
from tests.outcomes.helpers import DISTINCTIVE, answered

pytestmark = pytest.mark.django_db


def form_of(answers: dict[int, int]) -> dict[str, str]:
    return {f"item_{n}": str(v) for n, v in answers.items()}


def test_from_home_to_answering_to_own_scores(world, client) -> None:
    queue_outcome_invitations()
    client.force_login(world.member)
    home = client.get("/").content.decode()
    assert "Answer your wellbeing questionnaire" in home and 'href="/outcomes/"' in home
    invitation = OutcomeInvitation.objects.get(person=world.member)
    page = client.get("/outcomes/").content.decode()
    assert f'href="/outcomes/{invitation.pk}/answer/"' in page
    form = client.get(f"/outcomes/{invitation.pk}/answer/").content.decode()
    assert "30. I am happy that I chose to do this work." in form
    assert "21. I feel overwhelmed because my case work load seems endless." in form
    assert "© B. Hudnall Stamm, 2009-2012." in form
    response = client.post(f"/outcomes/{invitation.pk}/answer/", form_of(DISTINCTIVE))
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    page = client.get("/outcomes/").content.decode()
    assert "<strong>Moderate</strong> (37 out of 50)" in page
    assert "<strong>Low</strong> (19 out of 50)" in page
    assert "<strong>Moderate</strong> (41 out of 50)" in page
    assert "Samaritans" in page and "116 123" in page
    assert "Answer your wellbeing questionnaire" not in client.get("/").content.decode()


def test_a_missing_answer_is_a_clear_error_and_nothing_is_kept(world, client) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    client.force_login(world.member)
    answers = dict(DISTINCTIVE)
    del answers[7]
    page = client.post(f"/outcomes/{invitation.pk}/answer/", form_of(answers)).content.decode()
    assert "Choose an answer to question 7" in page
    assert OutcomeInvitation.objects.get(pk=invitation.pk).status == "open"


def test_declining_and_someone_elses_invitation_is_a_404(world, client) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    client.force_login(world.colleague)
    assert client.get(f"/outcomes/{invitation.pk}/answer/").status_code == 404
    assert client.post(f"/outcomes/{invitation.pk}/decline/").status_code == 404
    client.force_login(world.member)
    assert client.post(f"/outcomes/{invitation.pk}/decline/").status_code == 302
    page = client.get("/outcomes/").content.decode()
    assert "You said not this time. You can still answer." in page


def test_the_own_page_takes_the_same_queries_with_more_answers(world, client) -> None:
    client.force_login(world.member)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/outcomes/").status_code == 200
        return len(queries)

    answered(world.member, world.pool, world.organisation, datetime.date(2026, 4, 2), round=0, satisfaction=30)
    small = count()
    for n in range(1, 4):
        answered(
            world.member, world.pool, world.organisation, datetime.date(2026, 4 + n, 2), round=n, satisfaction=30 + n
        )
    assert count() == small


def test_the_commissioner_sets_how_often_from_the_dashboards_outcome_page(world, client) -> None:
    client = signed_in(client, world.commissioner)
    outcomes = client.get(f"/pools/{world.pool.pk}/dashboard/outcomes/").content.decode()
    assert f'href="/pools/{world.pool.pk}/outcomes/schedule/"' in outcomes
    response = client.post(
        f"/pools/{world.pool.pk}/outcomes/schedule/", {"interval_months": "12", "measure": "proctor-check-in"}
    )
    assert response.status_code == 302
    assert response.url == f"/pools/{world.pool.pk}/dashboard/outcomes/"
    row = PoolOutcomeSettings.objects.get(pool=world.pool)
    assert (row.interval_months, row.measure) == (12, "proctor-check-in")
    assert client.get(f"/pools/{world.other_pool.pk}/outcomes/schedule/").status_code == 404


def test_a_converted_score_reads_to_one_decimal_place(world, client) -> None:
    OutcomeResponse.objects.create(
        person=world.member, pool=world.pool, organisation=world.organisation, round=0, measure="swemwbs",
        measure_version=1, answered_on=datetime.date(2026, 5, 1), answers={}, scores={"wellbeing": 22.35},
    )  # fmt: skip
    client.force_login(world.member)
    page = client.get("/outcomes/").content.decode()
    assert "<strong>Your wellbeing score</strong> (22.4 out of 35)" in page
    assert "Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) © NHS Health Scotland" in page


def test_a_measure_whose_licence_is_not_confirmed_cannot_be_answered_by_its_address(world, client, settings) -> None:
    """The review: a questionnaire asked while its licence was confirmed could still be answered
    by its address once the confirmation was withdrawn."""
    settings.OUTCOME_LICENCES_CONFIRMED = ["swemwbs"]
    set_schedule(world.pool, acting_user=world.commissioner, interval_months=6, measure="swemwbs")
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    settings.OUTCOME_LICENCES_CONFIRMED = []
    client.force_login(world.member)
    url = f"/outcomes/{invitation.pk}/answer/"
    refused = "This questionnaire is no longer used on this site, so it cannot be answered. Nothing was saved."
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    page = client.get("/outcomes/").content.decode()
    assert refused in page and url not in page
    response = client.post(url, form_of({n: 3 for n in range(1, 8)}))
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    assert not OutcomeResponse.objects.exists()
    assert OutcomeInvitation.objects.get(pk=invitation.pk).status == "open"
    with pytest.raises(DomainError) as refusal:
        record_response(invitation, acting_user=world.member, answers={n: 3 for n in range(1, 8)})
    assert refusal.value.message == refused
    assert "Answer your wellbeing questionnaire" not in client.get("/").content.decode()


# What the answer page says about stopping part-way: true in each state (the review found "You can
# stop and come back later from your home page", which kept nothing and was not always so).
STOPPING_OPEN = (
    "If you stop before sending, nothing is kept. This questionnaire waits for you on your wellbeing page, "
    "linked from your home page, until you answer it or are asked again."
)
STOPPING_DECLINED = (
    "You said not this time, and you can still answer. If you stop before sending, nothing is kept; it stays "
    "on your wellbeing page, linked from your home page, until you are asked again."
)


def test_the_answer_page_says_truly_what_stopping_part_way_does(world, client) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    client.force_login(world.member)
    url = f"/outcomes/{invitation.pk}/answer/"
    page = client.get(url).content.decode()
    assert STOPPING_OPEN in page and STOPPING_DECLINED not in page and "come back later" not in page
    # Declined: the page says it can still be answered, and the list it stays on links it.
    client.post(f"/outcomes/{invitation.pk}/decline/")
    page = client.get(url).content.decode()
    assert STOPPING_DECLINED in page and STOPPING_OPEN not in page
    assert url in client.get("/outcomes/").content.decode()
    assert 'href="/outcomes/"' in client.get("/").content.decode()


def test_a_round_asked_again_since_cannot_be_answered_and_the_page_says_why(world, client) -> None:
    queue_outcome_invitations()
    old = OutcomeInvitation.objects.get(person=world.member)
    OutcomeInvitation.objects.create(
        person=world.member, pool=world.pool, round=1, due_on=old.due_on + datetime.timedelta(days=183),
        measure=old.measure,
    )  # fmt: skip
    client.force_login(world.member)
    response = client.get(f"/outcomes/{old.pk}/answer/")
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    assert (
        "You have been asked again since this questionnaire, so it can no longer be answered."
        in client.get("/outcomes/").content.decode()
    )


def test_someone_who_has_left_the_pool_is_told_they_cannot_answer(world, client) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    world.member.memberships.update(left_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    client.force_login(world.member)
    response = client.post(f"/outcomes/{invitation.pk}/answer/", form_of(DISTINCTIVE))
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    assert (
        "You no longer work in an organisation of this pool, so this questionnaire cannot be answered. "
        "Nothing was saved." in client.get("/outcomes/").content.decode()
    )
    assert not OutcomeResponse.objects.exists()
