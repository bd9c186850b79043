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

# Why a round cannot be answered, in the person's words: the answer page says it before any
# question is shown, and record_response refuses with the same words.
# A measure whose licence this site has not confirmed (docs/outcomes.md, "The measure bank"):
# asked while it was confirmed, it cannot be answered once the confirmation is withdrawn.
NOT_LICENSED = "This questionnaire is no longer used on this site, so it cannot be answered. Nothing was saved."
# Only the latest round is answered: an older one would be scored as a round it is not.
ASKED_AGAIN = "You have been asked again since this questionnaire, so it can no longer be answered."
LEFT_THE_POOL = (
    "You no longer work in an organisation of this pool, so this questionnaire cannot be answered. Nothing was saved."
)


def _current_membership(person_id: int, pool_id: int) -> Membership | None:
    return (
        Membership.objects.current()
        .filter(user_id=person_id, organisation__pool_memberships__pool_id=pool_id)
        .order_by("pk")
        .first()
    )


def _is_latest(invitation: OutcomeInvitation) -> bool:
    latest = (
        OutcomeInvitation.objects.filter(person_id=invitation.person_id, pool_id=invitation.pool_id)
        .order_by("-round")
        .values_list("pk", flat=True)
        .first()
    )
    return latest == invitation.pk


def refusal_to_answer(invitation: OutcomeInvitation) -> str | None:
    """Why this round cannot be answered now (the person asked is the one looking), or None."""
    if not is_enabled(current_measure(invitation.measure)):
        return NOT_LICENSED
    if not _is_latest(invitation):
        return ASKED_AGAIN
    if _current_membership(invitation.person_id, invitation.pool_id) is None:
        return LEFT_THE_POOL
    return None


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
    measure = current_measure(invitation.measure)
    if not is_enabled(measure):
        raise DomainError(NOT_LICENSED)
    if not _is_latest(invitation):
        raise DomainError(ASKED_AGAIN)
    try:
        scores = score_answers(measure, answers)
    except AnswersIncomplete:
        raise DomainError("Answer every question, choosing one of the answers given.") from None
    membership = _current_membership(acting_user.pk, invitation.pool_id)
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
