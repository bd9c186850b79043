"""What is waiting for a person is exactly what they can still answer (docs/outcomes.md, "What a
person can do"): never a round asked again since, one already answered, or one of a pool they
have left — on their wellbeing page or their home page.

The usability test's loop: an older round declined, the newer declined then answered, and the
page still listed the older one with a button the answer page refused ("You have been asked
again since this questionnaire"), because the waiting list took each pool's latest *unanswered*
round rather than the latest round."""

from __future__ import annotations

import datetime

import pytest

from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation
from outcomes.services.invitations import decline_invitation, waiting_for
from outcomes.services.responses import record_response, refusal_to_answer
from reflect.models import User
from tests.outcomes.helpers import DISTINCTIVE

pytestmark = pytest.mark.django_db

ASKED_AGAIN = "You have been asked again since this questionnaire, so it can no longer be answered."
ALREADY_ANSWERED = "You have already answered this one. Your scores are below."
LEFT_THE_POOL = (
    "You no longer work in an organisation of this pool, so this questionnaire cannot be answered. Nothing was saved."
)
ASKED_ON_HOME = "Answer your wellbeing questionnaire"
SCORES_ON_HOME = "Your wellbeing scores over time"


def ask(person: User, pool, number: int, status: str = InvitationStatus.OPEN) -> OutcomeInvitation:
    return OutcomeInvitation.objects.create(
        person=person,
        pool=pool,
        round=number,
        due_on=datetime.date(2026, 4, 1) + datetime.timedelta(days=183 * number),
        measure="proqol-5",
        status=status,
    )


def waiting(person: User) -> list[tuple[str, int, str]]:
    return [(invitation.pool.name, invitation.round, invitation.status) for invitation, _ in waiting_for(person)]


def test_a_declined_round_asked_again_since_is_not_waiting_the_newer_one_is(world) -> None:
    older = ask(world.member, world.pool, 0, InvitationStatus.DECLINED)
    newer = ask(world.member, world.pool, 1)
    assert waiting(world.member) == [("Leeds pool", 1, InvitationStatus.OPEN)]
    assert refusal_to_answer(older) == ASKED_AGAIN
    assert refusal_to_answer(newer) is None


def test_an_answered_round_leaves_nothing_waiting(world) -> None:
    invitation = ask(world.member, world.pool, 0)
    record_response(invitation, acting_user=world.member, answers=DISTINCTIVE)
    assert waiting(world.member) == []
    assert refusal_to_answer(OutcomeInvitation.objects.get(pk=invitation.pk)) == ALREADY_ANSWERED


def test_declining_an_older_round_then_answering_the_newer_leaves_nothing_waiting(world) -> None:
    """The usability test's steps, as services: the older round declined long ago, the newer one
    declined ("Not this time") and then answered."""
    older = ask(world.member, world.pool, 0, InvitationStatus.DECLINED)
    newer = ask(world.member, world.pool, 1)
    decline_invitation(newer, acting_user=world.member)
    assert waiting(world.member) == [("Leeds pool", 1, InvitationStatus.DECLINED)]
    record_response(newer, acting_user=world.member, answers=DISTINCTIVE)
    assert waiting(world.member) == []
    assert refusal_to_answer(older) == ASKED_AGAIN


def test_an_open_round_asked_again_since_is_not_waiting_once_the_newer_is_answered(world) -> None:
    ask(world.member, world.pool, 0)  # never answered nor declined
    record_response(ask(world.member, world.pool, 1), acting_user=world.member, answers=DISTINCTIVE)
    assert waiting(world.member) == []


def test_a_round_of_a_pool_they_have_left_is_not_waiting(world) -> None:
    invitation = ask(world.member, world.pool, 0)
    world.member.memberships.update(left_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    assert waiting(world.member) == []
    assert refusal_to_answer(invitation) == LEFT_THE_POOL


def test_each_pool_waits_on_its_own_latest_round(world) -> None:
    """Someone staff in two pools' organisations: each pool's rounds are their own."""
    staff_of_both = world.member
    world.other_organisation.memberships.create(user=staff_of_both)
    ask(staff_of_both, world.pool, 0, InvitationStatus.DECLINED)
    ask(staff_of_both, world.pool, 1, InvitationStatus.ANSWERED)
    ask(staff_of_both, world.other_pool, 0, InvitationStatus.DECLINED)
    assert waiting(staff_of_both) == [("Wakefield pool", 0, InvitationStatus.DECLINED)]


def test_waiting_is_exactly_what_the_answer_page_accepts(world, django_assert_num_queries) -> None:
    """The one rule read both ways: every invitation, in every state, is listed if and only if the
    answer page would take an answer to it (and saying why not is one query)."""
    for person in (world.member, world.colleague, world.lead):
        ask(person, world.pool, 0, InvitationStatus.DECLINED)
    ask(world.member, world.pool, 1, InvitationStatus.ANSWERED)
    ask(world.member, world.pool, 2)
    ask(world.colleague, world.pool, 1, InvitationStatus.ANSWERED)
    ask(world.lead, world.pool, 1)
    ask(world.lead, world.pool, 2, InvitationStatus.DECLINED)
    ask(world.outsider, world.other_pool, 0)
    world.outsider.memberships.update(left_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    for invitation in OutcomeInvitation.objects.order_by("pk"):
        person = invitation.person
        listed = [i.pk for i, _ in waiting_for(person)]
        with django_assert_num_queries(1):
            refusal = refusal_to_answer(invitation)
        assert (invitation.pk in listed) == (refusal is None), (person.first_name, invitation.round, refusal)
    assert waiting(world.member) == [("Leeds pool", 2, InvitationStatus.OPEN)]
    assert waiting(world.colleague) == []
    assert waiting(world.lead) == [("Leeds pool", 2, InvitationStatus.DECLINED)]
    assert waiting(world.outsider) == []


def test_from_home_decline_then_answer_and_nothing_is_waiting(world, client) -> None:
    """The usability test, through the pages: an older round declined and a newer one open."""
    older = ask(world.member, world.pool, 0, InvitationStatus.DECLINED)
    newer = ask(world.member, world.pool, 1)
    client.force_login(world.member)
    assert ASKED_ON_HOME in client.get("/").content.decode()
    page = client.get("/outcomes/").content.decode()
    assert f'href="/outcomes/{newer.pk}/answer/"' in page and f"/outcomes/{older.pk}/" not in page
    assert client.post(f"/outcomes/{newer.pk}/decline/").status_code == 302
    home = client.get("/").content.decode()
    assert ASKED_ON_HOME not in home and SCORES_ON_HOME in home  # declined: not asked again this round
    page = client.get("/outcomes/").content.decode()
    assert "You said not this time. You can still answer." in page
    assert f'href="/outcomes/{newer.pk}/answer/"' in page and f"/outcomes/{older.pk}/" not in page
    answers = {f"item_{n}": str(v) for n, v in DISTINCTIVE.items()}
    response = client.post(f"/outcomes/{newer.pk}/answer/", answers)
    assert response.status_code == 302 and response["Location"] == "/outcomes/"
    home = client.get("/").content.decode()
    assert ASKED_ON_HOME not in home and SCORES_ON_HOME in home
    page = client.get("/outcomes/").content.decode()
    assert "<strong>Moderate</strong> (37 out of 50)" in page
    assert "Waiting for you" not in page and "Answer the questionnaire" not in page
    assert "You said not this time" not in page


def test_home_does_not_ask_for_an_open_round_asked_again_since(world, client) -> None:
    """An older round left open, the newer answered: the home page's "waiting" is the same rule."""
    ask(world.member, world.pool, 0)
    ask(world.member, world.pool, 1, InvitationStatus.ANSWERED)
    client.force_login(world.member)
    home = client.get("/").content.decode()
    assert ASKED_ON_HOME not in home and SCORES_ON_HOME in home


def test_home_does_not_ask_someone_who_has_left_the_pool(world, client) -> None:
    ask(world.member, world.pool, 0)
    world.member.memberships.update(left_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    # Still staff elsewhere, so the staff panel shows: it must not say a questionnaire is waiting.
    world.other_organisation.memberships.create(user=world.member)
    client.force_login(world.member)
    home = client.get("/").content.decode()
    assert ASKED_ON_HOME not in home and SCORES_ON_HOME in home
