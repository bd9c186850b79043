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

from outcomes.answerable import LEFT_THE_POOL, refusal_to_answer
from outcomes.bank import Band, Measure, current_measure, measure_version
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation, OutcomeResponse
from outcomes.scoring import AnswersIncomplete, band_of, score_answers
from reflect import wording
from reflect.errors import DomainError
from reflect.models import Membership, User
from reflect.services.audit import record_audit
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus


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
    refusal = refusal_to_answer(invitation)
    if refusal is not None:
        raise DomainError(refusal)
    measure = current_measure(invitation.measure)
    try:
        scores = score_answers(measure, answers)
    except AnswersIncomplete:
        raise DomainError("Answer every question, choosing one of the answers given.") from None
    # Which of the pool's organisations the answer counts for (the dashboard's filter); None
    # only if they left in the instant since the check above.
    membership = (
        Membership.objects.current()
        .filter(user=acting_user, organisation__pool_memberships__pool_id=invitation.pool_id)
        .order_by("pk")
        .first()
    )
    if membership is None:
        raise DomainError(LEFT_THE_POOL)
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
