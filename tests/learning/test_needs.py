"""Raising, withdrawing and suggesting learning needs: the services and the staff's pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.enums import CoveredBy, RaisedHow, SuggestionAnswer
from learning.models import LearningNeed, LearningTopic, OrganisationNeed, TopicSuggestion
from learning.queries import waiting_suggestions
from learning.services.needs import raise_need, withdraw_need
from learning.services.organisation_needs import record_organisation_need
from learning.services.suggestions import answer_suggestion, suggest_topic
from learning.services.topics import add_pool_topic
from reflect import statements
from reflect.data_protection.erasure import erase_account
from reflect.errors import DomainError
from supervision.enums import AgreementStatus
from tests.factories.core import signed_in
from tests.factories.supervision import SupervisionAgreementFactory, make_supervisor
from tests.learning.conftest import held_session, topic

pytestmark = pytest.mark.django_db


def test_raising_a_need_counts_it_for_the_persons_organisation_and_pool(world) -> None:
    now = timezone.now()
    need = raise_need(topic("vicarious-trauma"), acting_user=world.member, now=now)
    assert (need.person, need.organisation, need.pool, need.raised_at, need.raised_how) == (
        world.member,
        world.organisation,
        world.pool,
        now,
        RaisedHow.OWN,
    )
    # A second tap finds the first.
    assert raise_need(topic("vicarious-trauma"), acting_user=world.member) == need
    assert LearningNeed.objects.count() == 1


def test_a_withdrawn_need_can_be_raised_again_and_the_old_one_stays_withdrawn(world) -> None:
    first = raise_need(topic("ageism"), acting_user=world.member)
    withdraw_need(first, acting_user=world.member)
    withdraw_need(first, acting_user=world.member)  # twice: nothing more
    second = raise_need(topic("ageism"), acting_user=world.member)
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.withdrawn_at is not None and second.is_open


def test_only_the_person_withdraws_their_need(world) -> None:
    need = raise_need(topic("ageism"), acting_user=world.member)
    with pytest.raises(DomainError, match="Only the person"):
        withdraw_need(need, acting_user=world.lead)


def test_someone_in_no_running_pool_is_told_why_and_nothing_is_written(world) -> None:
    world.pool.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    world.pool.starts_on = world.pool.ends_on - datetime.timedelta(days=300)
    world.pool.save()
    with pytest.raises(DomainError, match="once your organisation is in a pool that is running"):
        raise_need(topic("ageism"), acting_user=world.member)
    assert not LearningNeed.objects.exists()


def test_another_pools_own_topic_is_refused(world) -> None:
    theirs = add_pool_topic(world.other_pool, title="Farm safety", description="", acting_user=world.other_commissioner)
    with pytest.raises(DomainError, match="not offered in your pool"):
        raise_need(theirs, acting_user=world.member)


def test_a_supervisor_suggests_and_the_person_accepts(world, supervised) -> None:
    suggestion = suggest_topic(
        supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor
    )
    again = suggest_topic(supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor)
    assert again == suggestion and suggestion.answer == ""
    answer_suggestion(suggestion, accept=True, acting_user=world.member)
    answer_suggestion(suggestion, accept=False, acting_user=world.member)  # the first answer stands
    suggestion.refresh_from_db()
    assert suggestion.answer == SuggestionAnswer.ACCEPTED
    need = LearningNeed.objects.get()
    assert (need.person, need.topic.slug, need.raised_how) == (world.member, "psychosis", RaisedHow.SUGGESTION)


def test_ignoring_a_suggestion_raises_nothing(world, supervised) -> None:
    suggestion = suggest_topic(
        supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor
    )
    answer_suggestion(suggestion, accept=False, acting_user=world.member)
    assert not LearningNeed.objects.exists()
    assert TopicSuggestion.objects.get().answer == SuggestionAnswer.IGNORED


def test_a_supervisor_suggests_only_to_people_they_supervise(world, supervised) -> None:
    with pytest.raises(DomainError, match="only to someone you supervise"):
        suggest_topic(supervised.agreement, world.colleague, topic("psychosis"), acting_user=supervised.supervisor)
    with pytest.raises(DomainError, match="Only the agreement's supervisor"):
        suggest_topic(supervised.agreement, world.member, topic("psychosis"), acting_user=world.lead)
    assert not TopicSuggestion.objects.exists()


def test_a_lead_records_a_need_and_then_marks_it_covered(world) -> None:
    record_organisation_need(
        world.organisation, topic("ageism"), covered_by=CoveredBy.NONE, staff_count=6, acting_user=world.lead
    )
    record = record_organisation_need(
        world.organisation,
        topic("ageism"),
        covered_by=CoveredBy.LIVED_EXPERIENCE,
        staff_count=6,
        acting_user=world.lead,
    )
    assert OrganisationNeed.objects.count() == 1
    assert (record.covered_by, record.staff_count) == (CoveredBy.LIVED_EXPERIENCE, None)
    with pytest.raises(DomainError, match="Number of staff"):
        record_organisation_need(
            world.organisation, topic("ageism"), covered_by=CoveredBy.NONE, staff_count=0, acting_user=world.lead
        )


def test_a_commissioners_topic_is_offered_in_their_pool_only(world) -> None:
    added = add_pool_topic(
        world.pool, title="  Working with  interpreters ", description="", acting_user=world.commissioner
    )
    assert (added.title, added.slug, added.pool, added.catalogue_version) == (
        "Working with interpreters",
        "working-with-interpreters",
        world.pool,
        None,
    )
    assert (
        add_pool_topic(world.pool, title="working with interpreters", description="", acting_user=world.commissioner)
        == added
    )
    with pytest.raises(DomainError, match="The catalogue already has"):
        add_pool_topic(world.pool, title="Ageism", description="", acting_user=world.commissioner)
    with pytest.raises(DomainError, match="Enter the topic's title"):
        add_pool_topic(world.pool, title="   ", description="", acting_user=world.commissioner)
    assert LearningTopic.objects.filter(pool__isnull=False).count() == 1


# --- Pages -------------------------------------------------------------------------------------


def test_staff_raise_and_withdraw_from_their_page(client, world) -> None:
    signed_in(client, world.member)
    page = client.get(reverse("learning_home"))
    assert page.status_code == 200
    assert "What would you like to learn about?" in page.text
    ageism = topic("ageism")
    response = client.post(reverse("learning_ask", args=[ageism.pk]), follow=True)
    assert "Added “Ageism” to what you would like to learn about." in response.text
    need = LearningNeed.objects.get()
    assert need.raised_how == RaisedHow.OWN
    client.post(reverse("learning_withdraw", args=[need.pk]))
    need.refresh_from_db()
    assert need.withdrawn_at is not None


def test_the_home_page_asks_after_a_session_and_a_need_from_it_is_counted_as_prompted(
    client, world, supervised
) -> None:
    signed_in(client, world.member)
    home = client.get(reverse("home"))
    assert "Did anything come up that you would like to learn more about?" in home.text
    assert f"{reverse('learning_home')}?after=session" in home.text
    client.post(reverse("learning_ask", args=[topic("dissociation").pk]), {"after": "session"})
    assert LearningNeed.objects.get().raised_how == RaisedHow.AFTER_SESSION


def test_the_prompt_is_gone_a_fortnight_after_the_session(client, world, supervised) -> None:
    supervised.booking.delete()
    held_session(supervised.agreement, world.member, days_ago=15)
    home = signed_in(client, world.member).get(reverse("home"))
    assert "Did anything come up" not in home.text
    assert "What would you like to learn about?" in home.text


def test_a_waiting_suggestion_shows_on_home_and_is_accepted_in_one_tap(client, world, supervised) -> None:
    suggestion = suggest_topic(
        supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor
    )
    signed_in(client, world.member)
    assert "See the topic your supervisor suggested" in client.get(reverse("home")).text
    client.post(reverse("learning_suggestion_accept", args=[suggestion.pk]))
    assert LearningNeed.objects.get().topic.slug == "psychosis"
    assert "See the topic your supervisor suggested" not in client.get(reverse("home")).text


def test_the_supervisor_suggests_from_their_agreement(client, world, supervised) -> None:
    signed_in(client, supervised.supervisor)
    assert (
        reverse("learning_suggest", args=[supervised.agreement.pk]) in client.get(reverse("supervisor_agreements")).text
    )
    page = client.get(reverse("learning_suggest", args=[supervised.agreement.pk]))
    # Only the person they supervise is offered, not the organisation's whole staff.
    assert "Sam" in page.text and "Chris" not in page.text and "Leila" not in page.text
    response = client.post(
        reverse("learning_suggest", args=[supervised.agreement.pk]),
        {"person": world.member.pk, "topic": topic("psychosis").pk},
        follow=True,
    )
    assert "Suggested “Psychosis” to" in response.text
    assert TopicSuggestion.objects.get().person == world.member


def test_suggesting_again_looks_the_same_whatever_the_person_answered(client, world, supervised) -> None:
    """The supervisor is not told the answer: a repeat finds the first suggestion, and the page
    after it is the same for a topic accepted, ignored or not answered yet."""
    first = {
        slug: suggest_topic(supervised.agreement, world.member, topic(slug), acting_user=supervised.supervisor)
        for slug in ["psychosis", "ageism", "deaf-awareness"]
    }
    answer_suggestion(first["psychosis"], accept=True, acting_user=world.member)
    answer_suggestion(first["ageism"], accept=False, acting_user=world.member)
    signed_in(client, supervised.supervisor)
    url = reverse("learning_suggest", args=[supervised.agreement.pk])
    listed = [s.pk for s in TopicSuggestion.objects.filter(supervisor=supervised.supervisor)]
    for slug, suggestion in first.items():
        again = suggest_topic(supervised.agreement, world.member, topic(slug), acting_user=supervised.supervisor)
        assert again.pk == suggestion.pk
        response = client.post(url, {"person": world.member.pk, "topic": topic(slug).pk}, follow=True)
        assert [str(m) for m in response.context["messages"]] == [
            f"Suggested “{topic(slug).title}” to Sam Example. They will see it on their home page and choose "
            "whether to add it."
        ]
        assert [s.pk for s in response.context["made"]] == listed
    assert TopicSuggestion.objects.count() == 3


def test_two_supervisors_suggesting_one_topic_are_answered_once(world, supervised) -> None:
    other = make_supervisor("Ann")
    agreement = SupervisionAgreementFactory(
        organisation=world.organisation, pool=world.pool, supervisor=other, status=AgreementStatus.ACTIVE
    )
    held_session(agreement, world.member)
    ruths = suggest_topic(supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor)
    anns = suggest_topic(agreement, world.member, topic("psychosis"), acting_user=other.user)
    assert ruths.pk != anns.pk  # each supervisor's own, whatever the other's state
    assert [s.pk for s in waiting_suggestions(world.member)] == [anns.pk]  # the person sees the topic once
    answer_suggestion(anns, accept=True, acting_user=world.member)
    assert sorted(TopicSuggestion.objects.values_list("answer", flat=True)) == ["accepted", "accepted"]
    assert LearningNeed.objects.filter(person=world.member).count() == 1


def test_erasing_a_person_deletes_their_needs_and_the_suggestions_to_and_from_them(world, supervised) -> None:
    raise_need(topic("ageism"), acting_user=world.member)
    raise_need(topic("ageism"), acting_user=world.colleague)
    suggest_topic(supervised.agreement, world.member, topic("psychosis"), acting_user=supervised.supervisor)
    erase_account(world.member, acting_user=world.member)
    assert list(LearningNeed.objects.values_list("person", flat=True)) == [world.colleague.pk]
    assert not TopicSuggestion.objects.exists()


def test_the_home_pages_row_of_facts_keeps_its_sql_with_the_learning_questions(client, world, supervised) -> None:
    """The after-a-session question reads the time only as ``now`` (reflect/statements.py): a
    value worked out from it would make the row be built afresh on every request."""
    statements._kept.clear()
    home = signed_in(client, world.member).get(reverse("home"))
    assert "Did anything come up that you would like to learn more about?" in home.text
    assert statements._kept and None not in statements._kept.values()
    # Kept, and still right: the next request runs the kept SQL with its own time.
    assert "Did anything come up" in client.get(reverse("home")).text
