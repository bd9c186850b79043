"""Where "Arrange a session" leads from a topic's row of the commissioner's demand page
(docs/learning.md): the learning session's short form for the pool, the topic ticked."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def arrange_session_url(pool_id: int, topic_id: int) -> str:
    return f"{reverse('learning_session_new', args=[pool_id])}?{urlencode({'topic': topic_id})}"
