"""What learning sessions hold about a person, for export and erasure (reflect/data_protection/).

A person's places in learning sessions are group places, exported and erased with the groups'
(scheduling/data_protection.py). The answers after a session are counts with no person; that
someone answered (``FeedbackGiven``) goes with their place. A course names only the commissioner
who shared it, as a pool's other records do."""

from __future__ import annotations

from learning.session_models import ExternalCourse
from reflect.data_protection.registry import exclude_from_export

exclude_from_export(
    ExternalCourse, "a course shared with a pool is the pool's record, not about the commissioner who shared it"
)
