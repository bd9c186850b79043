"""Whether a questionnaire can still be answered: the one rule (docs/outcomes.md, "Answering").

Read both ways from the same expression: the answer page and ``record_response`` ask why this
round cannot be answered, in words; the wellbeing page's "Waiting for you" and the home page's
"a questionnaire is waiting" list the rounds for which the answer is "it can". Written once
because the two drifted apart: the waiting list took each pool's latest round *not yet answered*,
so once the newest was answered an older, declined one came back with a button the answer page
refused ("asked again since"), and the home page asked about any open round, however old.
"""

from __future__ import annotations

from django.db.models import Case, CharField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import BaseExpression

from outcomes.bank import unlicensed_slugs
from outcomes.enums import InvitationStatus
from outcomes.models import OutcomeInvitation
from reflect.models import Membership

# Why a round cannot be answered, in the person's words: the answer page says it before any
# question is shown, and record_response refuses with the same words.
ALREADY_ANSWERED = "You have already answered this one. Your scores are below."
# A measure whose licence this site has not confirmed (docs/outcomes.md, "The measure bank"):
# asked while it was confirmed, it cannot be answered once the confirmation is withdrawn.
NOT_LICENSED = "This questionnaire is no longer used on this site, so it cannot be answered. Nothing was saved."
# Only the latest round is answered: an older one would be scored as a round it is not.
ASKED_AGAIN = "You have been asked again since this questionnaire, so it can no longer be answered."
LEFT_THE_POOL = (
    "You no longer work in an organisation of this pool, so this questionnaire cannot be answered. Nothing was saved."
)


def _refusal() -> Case:
    """The first reason, in this order, that the invitation's row cannot be answered; NULL when it
    can. Built per call: which measures are licensed is a setting, read now."""
    asked_again = OutcomeInvitation.objects.filter(
        person_id=OuterRef("person_id"), pool_id=OuterRef("pool_id"), round__gt=OuterRef("round")
    )
    in_the_pool = Membership.objects.current().filter(
        user_id=OuterRef("person_id"), organisation__pool_memberships__pool_id=OuterRef("pool_id")
    )
    reasons: list[tuple[str, Q | BaseExpression]] = [
        (ALREADY_ANSWERED, Q(status=InvitationStatus.ANSWERED)),
        (NOT_LICENSED, Q(measure__in=unlicensed_slugs())),
        (ASKED_AGAIN, Exists(asked_again)),
        (LEFT_THE_POOL, ~Exists(in_the_pool)),
    ]
    return Case(
        *(When(condition, then=Value(reason)) for reason, condition in reasons),
        default=Value(None),
        output_field=CharField(),
    )


def refusal_to_answer(invitation: OutcomeInvitation) -> str | None:
    """Why this round cannot be answered now (the person asked is the one looking), or None. One
    query, on the row as it is now."""
    return (
        OutcomeInvitation.objects.filter(pk=invitation.pk)
        .annotate(refusal=_refusal())
        .values_list("refusal", flat=True)
        .get()
    )


def answerable(person_id: int) -> QuerySet[OutcomeInvitation]:
    """The rounds this person can answer now: those ``refusal_to_answer`` lets through, at most
    one a pool (its latest round), open or declined."""
    return OutcomeInvitation.objects.filter(person_id=person_id).alias(refusal=_refusal()).filter(refusal__isnull=True)
