"""Where "Arrange a session" leads from a topic's row of the commissioner's demand page
(docs/learning.md). Learning sessions (part B) fill it in by naming a page
``learning_session_new`` that takes the pool's id and reads the topic from ``?topic=``; until
such a page exists, the row has no link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

ARRANGE_PAGE = "learning_session_new"


def arrange_session_url(pool_id: int, topic_id: int) -> str | None:
    try:
        page = reverse(ARRANGE_PAGE, args=[pool_id])
    except NoReverseMatch:
        return None
    return f"{page}?{urlencode({'topic': topic_id})}"
