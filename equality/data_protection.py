"""What this app holds about a person, for their own export and for erasure
(reflect/data_protection/, docs/equality.md). The export is the person's own copy: the only
place their answers appear outside their own page."""

from __future__ import annotations

from equality.categories import CATEGORIES
from equality.models import EqualityAnswers
from reflect.data_protection.registry import Erasure, register_erasure_step, register_export

register_export(
    EqualityAnswers,
    "Your answers to the equality questions",
    lambda user: EqualityAnswers.objects.filter(user=user),
    [*(category.key for category in CATEGORIES), "prompt_dismissed", "updated_at"],
    order=60,
)


@register_erasure_step(40, "equality: delete the equality answers")
def delete_equality_answers(erasure: Erasure) -> None:
    # Unlike places and sessions, nothing needs the row to stay: the totals count the erased
    # account as "not answered" from now on, which gives nobody's answer away.
    deleted, _ = EqualityAnswers.objects.filter(user=erasure.user).delete()
    erasure.count("equality_answers_deleted", deleted)
