"""One person's equality answers, kept apart from everything else (docs/equality.md): its own
table, no admin page, no permission an administrator could be given to read it. The only ways
out are the person's own pages and export, and suppressed totals (equality/queries.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from equality.categories import BY_KEY


def _answer(key: str) -> models.CharField:
    category = BY_KEY[key]
    return models.CharField(category.title, max_length=40, blank=True, choices=category.choices)


class EqualityAnswers(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Blank: not answered. Each question is optional on its own.
    age_band = _answer("age_band")
    sex = _answer("sex")
    gender_identity = _answer("gender_identity")
    sexual_orientation = _answer("sexual_orientation")
    ethnic_group = _answer("ethnic_group")
    disability = _answer("disability")
    religion = _answer("religion")
    # "Do not ask me again" from the home page's prompt, with or without answers.
    prompt_dismissed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "equality_answers"
        # No add, change, view or delete permission exists, so none can be granted to anyone in
        # the admin: a person reaches their own row only, and totals come from queries.py.
        default_permissions = ()

    def __str__(self) -> str:
        # Never the answers: a stray log line or admin widget must not show them.
        return f"Equality answers {self.pk}"
