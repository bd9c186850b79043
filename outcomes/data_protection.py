"""What the outcome measures hold about a person, for export and erasure (reflect/data_protection/).

Their answers and scores are theirs: the export gives them back, and erasure deletes them (the
commissioner's aggregates are computed afresh from what remains, so nothing else changes)."""

from __future__ import annotations

from outcomes.models import OutcomeInvitation, OutcomeResponse
from reflect.data_protection.registry import Erasure, register_erasure_step
from reflect.data_protection.registry import register_export as export

export(OutcomeResponse, "Your answers to outcome questionnaires, with your scores", lambda u: OutcomeResponse.objects.filter(person=u).select_related("pool", "organisation"), [("Pool", "pool.name"), ("Organisation", "organisation.name"), "round", "measure", "measure_version", "answered_on", "answers", "scores", "attended"], order=52)  # fmt: skip
export(OutcomeInvitation, "When you were asked to answer an outcome questionnaire", lambda u: OutcomeInvitation.objects.filter(person=u).select_related("pool"), [("Pool", "pool.name"), "round", "due_on", "measure", "status", "created_at", "answered_at"], order=53)  # fmt: skip


@register_erasure_step(35, "outcomes: delete the person's answers, scores and invitations")
def erase_outcomes(erasure: Erasure) -> None:
    user = erasure.user
    erasure.count("outcome_responses_deleted", OutcomeResponse.objects.filter(person=user).delete()[0])
    erasure.count("outcome_invitations_deleted", OutcomeInvitation.objects.filter(person=user).delete()[0])
