"""What a person can do with their own equality answers: give or change them, say "prefer not
to say", or ask not to be asked again (docs/equality.md). Only ever about the acting person."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from equality.categories import BY_KEY, NOT_ANSWERED
from equality.models import EqualityAnswers
from reflect.errors import DomainError
from reflect.models import User


def _own(user: User, acting_user: User) -> None:
    # Nobody answers for someone else, and nobody else changes them (docs/equality.md).
    if user.pk != acting_user.pk:
        raise DomainError("You can only give your own answers.")


def save_equality_answers(user: User, answers: Mapping[str, str], *, acting_user: User) -> EqualityAnswers:
    """Keep ``answers`` (question's key → answer's code; blank: not answered). A question not in
    ``answers`` keeps what it had. Answering also stops the home page's prompt."""
    _own(user, acting_user)
    for key, code in answers.items():
        category = BY_KEY.get(key)
        if category is None or (code != NOT_ANSWERED and code not in dict(category.choices)):
            raise DomainError("Choose one of the answers given, or leave the question blank.")
    with transaction.atomic():
        # The one-to-one's unique constraint makes a second, racing first answer update the row.
        row, _ = EqualityAnswers.objects.select_for_update().get_or_create(user=user)
        for key, code in answers.items():
            setattr(row, key, code)
        row.prompt_dismissed = True
        row.save()
    return row


def stop_equality_prompt(user: User, *, acting_user: User) -> EqualityAnswers:
    """ "Do not ask me again": the prompt goes; any answers given stay, and can still be changed."""
    _own(user, acting_user)
    with transaction.atomic():
        row, _ = EqualityAnswers.objects.select_for_update().get_or_create(user=user)
        if not row.prompt_dismissed:
            row.prompt_dismissed = True
            row.save(update_fields=["prompt_dismissed", "updated_at"])
    return row


def equality_answers_of(user: User) -> EqualityAnswers | None:
    """The person's own answers, for their own page and export only."""
    return EqualityAnswers.objects.filter(user=user).first()
