"""A commissioner's own topics for their pool (docs/learning.md), beside the catalogue's."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.text import slugify

from learning.enums import TopicKind
from learning.models import LearningTopic
from reflect.errors import DomainError
from reflect.models import Pool, User
from reflect.services.audit import record_audit

TITLE_LONGEST = 120
DESCRIPTION_LONGEST = 300


def add_pool_topic(pool: Pool, *, title: str, description: str, acting_user: User) -> LearningTopic:
    """A topic for this pool only. A second add of the same title returns the first."""
    title, description = " ".join(title.split()), " ".join(description.split())
    if not title:
        raise DomainError("Enter the topic's title.", field="title")
    if len(title) > TITLE_LONGEST:
        raise DomainError(f"Title must be {TITLE_LONGEST} characters or fewer.", field="title")
    if len(description) > DESCRIPTION_LONGEST:
        raise DomainError(f"Description must be {DESCRIPTION_LONGEST} characters or fewer.", field="description")
    slug = slugify(title)[:60] or "topic"
    same = LearningTopic.objects.filter(Q(pool__isnull=True) | Q(pool=pool), title__iexact=title)
    existing = same.filter(pool=pool).first()
    if existing is not None:
        return existing
    if same.exists():
        raise DomainError(f"The catalogue already has “{title}”: staff can choose it already.", field="title")
    try:
        with transaction.atomic():
            topic = LearningTopic.objects.create(
                pool=pool, slug=_free_slug(pool, slug), title=title, description=description, kind=TopicKind.TOPIC
            )
            record_audit("learning.topic_added", actor=acting_user, target=pool, topic=topic.slug)
            return topic
    except IntegrityError:
        # pool_topic_slug_unique: a second click raced this one.
        raise DomainError("That topic was added a moment ago. Look for it in the list.", field="title") from None


def _free_slug(pool: Pool, slug: str) -> str:
    taken = set(LearningTopic.objects.filter(pool=pool, slug__startswith=slug).values_list("slug", flat=True))
    if slug not in taken:
        return slug
    number = 2
    while f"{slug[:55]}-{number}" in taken:
        number += 1
    return f"{slug[:55]}-{number}"
