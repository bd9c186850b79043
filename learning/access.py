"""Who may see what in learning needs: anything else is the 404 a missing object gets
(docs/architecture.md, "Object-level access")."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from learning.models import LearningNeed, LearningTopic, OrganisationNeed, TopicSuggestion
from learning.queries import learning_place_of
from reflect.models import Organisation, Pool, User
from supervision.models import SupervisionAgreement


def access_own_need(user: User, need_id: int) -> LearningNeed:
    """A need of the person's own: no one else's need has an address they can reach."""
    return get_object_or_404(LearningNeed.objects.select_related("topic"), pk=need_id, person=user)


def access_own_suggestion(user: User, suggestion_id: int) -> TopicSuggestion:
    return get_object_or_404(TopicSuggestion.objects.select_related("topic"), pk=suggestion_id, person=user)


def access_topic(user: User, topic_id: int) -> LearningTopic:
    """An active topic open to the person: the catalogue's, or their own pool's. Another pool's
    own topic is the 404 of no topic, so its id says nothing of it."""
    place = learning_place_of(user)
    own_pool = Q(pool_id=place.pool.pk) if place is not None else Q(pk__in=[])
    return get_object_or_404(LearningTopic, Q(pool__isnull=True) | own_pool, pk=topic_id, active=True)


def access_pool_topic(pool: Pool, topic_id: int) -> LearningTopic:
    """A topic open to the pool: the catalogue's or the pool's own."""
    return get_object_or_404(LearningTopic, Q(pool__isnull=True) | Q(pool=pool), pk=topic_id)


def access_supervised_agreement(user: User, agreement_id: int) -> SupervisionAgreement:
    """An agreement of the supervisor's own (any other is a 404, whether or not it exists)."""
    agreement = (
        SupervisionAgreement.objects.select_related("organisation", "pool", "supervisor")
        .filter(pk=agreement_id, supervisor__user=user)
        .first()
    )
    if agreement is None:
        raise Http404("No such agreement.")
    return agreement


def access_organisation_record(organisation: Organisation, record_id: int) -> OrganisationNeed:
    return get_object_or_404(OrganisationNeed.objects.select_related("topic"), pk=record_id, organisation=organisation)
