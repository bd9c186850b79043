"""Answering a measure, and a person's own scores over time (docs/outcomes.md).

The answers and scores are stored with the person so that they, and only they, can see them
over time, and so that erasing them erases their answers. The audit row says that an answer was
given, never what it was."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from outcomes.bank import Band, Measure, current_measure, is_enabled, measure_version
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.scoring import AnswersIncomplete, band_of, score_answers
from reflect import wording
from reflect.errors import DomainError
from reflect.models import Membership, User
from reflect.services.audit import record_audit
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus

# A measure whose licence this site has not confirmed (docs/outcomes.md, "The measure bank"):
# asked while it was confirmed, it cannot be answered once the confirmation is withdrawn.
NOT_LICENSED = "This questionnaire is no longer used on this site, so it cannot be answered. Nothing was saved."


def has_attended(person: User, pool_id: int) -> bool:
    """Whether they have attended a supervision session or a reflective group of this pool."""
    places = Place.objects.filter(user=person, status=PlaceStatus.ATTENDED, session__group__pool_id=pool_id)
    sessions = BookingAttendee.objects.filter(
        user=person, booking__status=BookingStatus.ATTENDED, booking__pool_id=pool_id
    )
    return places.exists() or sessions.exists()


@transaction.atomic
def record_response(invitation: OutcomeInvitation, *, acting_user: User, answers: Mapping[int, int]) -> OutcomeResponse:
    """Score and keep one round's answers. A second send returns the first answer unchanged."""
    if invitation.person_id != acting_user.pk:
        raise DomainError("Only the person asked can answer.")
    existing = OutcomeResponse.objects.filter(
        person=acting_user, pool_id=invitation.pool_id, measure=invitation.measure, round=invitation.round
    ).first()
    if existing is not None:
        return existing
    latest = OutcomeInvitation.objects.filter(person=acting_user, pool_id=invitation.pool_id).order_by("-round").first()
    if latest is None or latest.pk != invitation.pk:
        raise DomainError("A newer round has started: answer that one instead, from your page of scores.")
    measure = current_measure(invitation.measure)
    if not is_enabled(measure):
        raise DomainError(NOT_LICENSED)
    try:
        scores = score_answers(measure, answers)
    except AnswersIncomplete:
        raise DomainError("Answer every question, choosing one of the answers given.") from None
    membership = (
        Membership.objects.filter(
            user=acting_user, left_at__isnull=True, organisation__pool_memberships__pool_id=invitation.pool_id
        )
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise DomainError("You are no longer a member of an organisation in this pool.")
    try:
        with transaction.atomic():
            response = OutcomeResponse.objects.create(
                person=acting_user,
                pool_id=invitation.pool_id,
                organisation_id=membership.organisation_id,
                round=invitation.round,
                measure=measure.slug,
                measure_version=measure.version,
                answered_on=timezone.localdate(),
                answers={str(number): value for number, value in sorted(answers.items())},
                scores={key: score.score for key, score in scores.items()},
                attended=has_attended(acting_user, invitation.pool_id),
            )
    except IntegrityError:
        # The same answers sent twice at once: the constraint kept one; return it.
        return OutcomeResponse.objects.get(
            person=acting_user, pool_id=invitation.pool_id, measure=invitation.measure, round=invitation.round
        )
    OutcomeInvitation.objects.filter(pk=invitation.pk).update(
        status=InvitationStatus.ANSWERED, answered_at=timezone.now()
    )
    record_audit("outcomes.answered", actor=acting_user, target=invitation.pool)
    return response


def score_in_words(score: float) -> str:
    """A score as the person reads it: whole as a whole number, a converted one to a decimal place."""
    return str(int(score)) if score == int(score) else wording.mean(score)


@dataclass(frozen=True)
class OwnScore:
    title: str
    score: float
    most: float
    band: Band
    higher_is_better: bool

    @property
    def shown(self) -> str:
        return score_in_words(self.score)

    @property
    def shown_most(self) -> str:
        return score_in_words(self.most)


@dataclass(frozen=True)
class OwnResult:
    measure: Measure
    answered_on: datetime.date
    scores: tuple[OwnScore, ...]


def own_results(person: User) -> list[OwnResult]:
    """This person's own scores, oldest first, each read with the version it was scored by.
    Only ever called with the signed-in person (outcomes/views/own.py)."""
    results = []
    for response in OutcomeResponse.objects.filter(person=person).order_by("answered_on", "pk"):
        measure = measure_version(response.measure, response.measure_version)
        scores = tuple(
            OwnScore(
                subscale.title,
                float(response.scores[subscale.key]),
                subscale.bands[-1].up_to,
                band_of(subscale, float(response.scores[subscale.key])),
                subscale.higher_is_better,
            )
            for subscale in measure.subscales
        )
        results.append(OwnResult(measure, response.answered_on, scores))
    return results
