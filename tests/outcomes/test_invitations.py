"""Asking staff at joining and then every period, once, by their own channel; declining;
answering; the commissioner's schedule; erasure."""

from __future__ import annotations

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.services.invitations import (
    current_round,
    decline_invitation,
    queue_outcome_invitations,
    set_schedule,
)
from outcomes.services.responses import record_response
from outcomes.tasks import task_queue_outcome_invitations
from reflect.channels import render_notification
from reflect.data_protection.erasure import erase_account
from reflect.errors import DomainError
from reflect.models import Notification
from tests.outcomes.helpers import DISTINCTIVE, DISTINCTIVE_SCORES

pytestmark = pytest.mark.django_db
KIND = "outcomes_invited"


def asked() -> list[tuple[str, str, int]]:
    return sorted(
        (i.person.first_name, i.pool.name, i.round) for i in OutcomeInvitation.objects.select_related("person", "pool")
    )


def test_rounds_fall_due_at_joining_then_every_period() -> None:
    start = datetime.date(2026, 1, 31)
    assert current_round(start, 6, datetime.date(2026, 1, 30)) is None
    assert current_round(start, 6, start) == 0
    assert current_round(start, 6, datetime.date(2026, 7, 30)) == 0
    assert current_round(start, 6, datetime.date(2026, 7, 31)) == 1
    assert current_round(start, 3, datetime.date(2027, 1, 31)) == 4


def test_everyone_is_asked_at_joining_once_by_their_channel(world) -> None:
    queued = queue_outcome_invitations()
    assert asked() == [
        ("Chris", "Leeds pool", 0),
        ("Leila", "Leeds pool", 0),
        ("Olu", "Wakefield pool", 0),
        ("Sam", "Leeds pool", 0),
    ]
    assert len(queued) == 4
    assert task_queue_outcome_invitations() == 0  # a second run asks no one again
    assert Notification.objects.filter(kind=KIND).count() == 4
    message = render_notification(Notification.objects.get(kind=KIND, recipient=world.member))
    assert settings.SITE_URL + reverse("outcomes_home") in message.text
    assert "No one else sees your answers or your scores" in message.text


def test_the_next_round_comes_after_the_pools_interval(world) -> None:
    today = timezone.localdate()
    queue_outcome_invitations(today)
    set_schedule(world.pool, acting_user=world.commissioner, interval_months=3, measure="proqol-5")
    queue_outcome_invitations(today + relativedelta(months=3))
    assert OutcomeInvitation.objects.filter(person=world.member, round=1).exists()
    # The other pool still asks every 6 months.
    assert not OutcomeInvitation.objects.filter(person=world.outsider, round=1).exists()
    # Once the pools have ended (both run to March 2027 here), no one is asked.
    queue_outcome_invitations(today + relativedelta(months=6))
    assert not OutcomeInvitation.objects.filter(round__gt=1).exists()
    assert not OutcomeInvitation.objects.filter(person=world.outsider, round__gt=0).exists()


def test_the_schedule_refuses_bad_choices(world) -> None:
    with pytest.raises(DomainError, match="between 3 and 24"):
        set_schedule(world.pool, acting_user=world.commissioner, interval_months=1, measure="proqol-5")
    with pytest.raises(DomainError, match="Choose one of the measures"):
        set_schedule(world.pool, acting_user=world.commissioner, interval_months=6, measure="nope")


def test_a_measure_needing_registration_is_chosen_only_once_confirmed(world, settings) -> None:
    settings.OUTCOME_LICENCES_CONFIRMED = []
    with pytest.raises(DomainError, match="licence confirmed"):
        set_schedule(world.pool, acting_user=world.commissioner, interval_months=6, measure="swemwbs")
    settings.OUTCOME_LICENCES_CONFIRMED = ["swemwbs"]
    set_schedule(world.pool, acting_user=world.commissioner, interval_months=6, measure="swemwbs")
    queue_outcome_invitations()
    assert OutcomeInvitation.objects.get(person=world.member).measure == "swemwbs"
    # Confirmation withdrawn: no one is asked to answer it any more.
    settings.OUTCOME_LICENCES_CONFIRMED = []
    OutcomeInvitation.objects.all().delete()
    queue_outcome_invitations()
    assert not OutcomeInvitation.objects.filter(pool=world.pool).exists()
    assert OutcomeInvitation.objects.filter(pool=world.other_pool).exists()


def test_declining_stops_the_asking_until_the_next_round_but_not_the_answering(world) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    decline_invitation(invitation, acting_user=world.member)
    assert OutcomeInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.DECLINED
    assert queue_outcome_invitations() == []
    response = record_response(invitation, acting_user=world.member, answers=DISTINCTIVE)
    assert response.scores == DISTINCTIVE_SCORES
    assert OutcomeInvitation.objects.get(pk=invitation.pk).status == InvitationStatus.ANSWERED


def test_answering_twice_keeps_the_first_and_no_one_answers_for_someone_else(world) -> None:
    queue_outcome_invitations()
    invitation = OutcomeInvitation.objects.get(person=world.member)
    first = record_response(invitation, acting_user=world.member, answers=DISTINCTIVE)
    again = record_response(invitation, acting_user=world.member, answers={n: 1 for n in range(1, 31)})
    assert again.pk == first.pk and again.scores == DISTINCTIVE_SCORES
    with pytest.raises(DomainError, match="Only the person asked"):
        record_response(invitation, acting_user=world.colleague, answers=DISTINCTIVE)
    with pytest.raises(DomainError, match="Answer every question"):
        record_response(
            OutcomeInvitation.objects.get(person=world.colleague), acting_user=world.colleague, answers={1: 3}
        )
    assert OutcomeResponse.objects.count() == 1


def test_erasure_deletes_their_answers_and_invitations(world) -> None:
    queue_outcome_invitations()
    record_response(OutcomeInvitation.objects.get(person=world.member), acting_user=world.member, answers=DISTINCTIVE)
    erase_account(world.member, acting_user=world.member)
    assert not OutcomeResponse.objects.filter(person=world.member).exists()
    assert not OutcomeInvitation.objects.filter(person=world.member).exists()
    assert OutcomeInvitation.objects.filter(person=world.colleague).exists()
