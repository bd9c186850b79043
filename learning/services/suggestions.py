"""A supervisor's suggestion of a topic, and the person's answer (docs/learning.md).

The supervisor chooses a topic for someone they supervise; nothing about why is stored, and
nothing about the session it came from. The person accepts it (it becomes their own need,
raised by suggestion) or ignores it; the supervisor is not told which."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from learning.enums import RaisedHow, SuggestionAnswer
from learning.models import LearningTopic, TopicSuggestion
from learning.queries import supervisees_of, topics_open_to
from learning.services.needs import raise_need
from reflect.errors import DomainError
from reflect.models import User
from supervision.enums import AgreementStatus
from supervision.models import SupervisionAgreement


def suggest_topic(
    agreement: SupervisionAgreement,
    person: User,
    topic: LearningTopic,
    *,
    acting_user: User,
    now: datetime.datetime | None = None,
) -> TopicSuggestion:
    """Suggest ``topic`` to ``person``. Suggesting it again returns the first suggestion, answered
    or not: the supervisor is not told the answer, so the repeat must look the same whichever it
    was (one_suggestion_per_supervisor_person_topic)."""
    if agreement.supervisor.user_id != acting_user.pk:
        raise DomainError("Only the agreement's supervisor can suggest a topic.")
    if agreement.status != AgreementStatus.ACTIVE:
        raise DomainError("This agreement has ended, so you cannot suggest topics under it.")
    if not supervisees_of(agreement).filter(pk=person.pk).exists():
        raise DomainError("You can suggest a topic only to someone you supervise under this agreement.")
    if not topics_open_to(agreement.pool_id).filter(pk=topic.pk).exists():
        raise DomainError("That topic is not offered in this pool. Choose one from the list.")
    mine = TopicSuggestion.objects.filter(supervisor=acting_user, person=person, topic=topic)
    made = mine.first()
    if made is not None:
        return made
    try:
        # The constraint decides a race between two clicks.
        with transaction.atomic():
            return TopicSuggestion.objects.create(
                supervisor=acting_user,
                person=person,
                agreement=agreement,
                topic=topic,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return mine.get()


@transaction.atomic
def answer_suggestion(
    suggestion: TopicSuggestion, *, accept: bool, acting_user: User, now: datetime.datetime | None = None
) -> TopicSuggestion:
    """Accept (a need of their own, raised by suggestion) or ignore. Answering again keeps the
    first answer. The answer is the person's to the topic: another supervisor's suggestion of it,
    still waiting, is answered with it (the person saw the topic once)."""
    if suggestion.person_id != acting_user.pk:
        raise DomainError("Only the person a topic was suggested to can answer it.")
    now = now or timezone.now()
    answer = SuggestionAnswer.ACCEPTED if accept else SuggestionAnswer.IGNORED
    # The conditional update claims the answer: of two answers racing, only the first acts.
    claimed = TopicSuggestion.objects.filter(pk=suggestion.pk, answer="").update(answer=answer, answered_at=now)
    if claimed:
        TopicSuggestion.objects.filter(person_id=acting_user.pk, topic_id=suggestion.topic_id, answer="").update(
            answer=answer, answered_at=now
        )
    if claimed and accept:
        raise_need(suggestion.topic, acting_user=acting_user, how=RaisedHow.SUGGESTION, now=now)
    suggestion.refresh_from_db(fields=["answer", "answered_at"])
    return suggestion
