"""Who may see what in supervision records: each object is looked up within what the person may
see, and anything else is the 404 a missing object gets (docs/architecture.md)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from records.bodies import body
from records.entries import ENTRY_KINDS, Entry, record_entries
from records.models import CpdActivity, SignedRecord
from reflect.models import User


def access_entry(user: User, kind: str, entry_id: int) -> Entry:
    """One of the person's own entries (a session they attended), with their note."""
    if kind not in ENTRY_KINDS:
        raise Http404("No such entry.")
    for entry in record_entries(user, body("none"), with_notes=True):
        if entry.key == (kind, entry_id):
            return entry
    raise Http404("No such entry.")


def access_cpd_activity(user: User, activity_id: int) -> CpdActivity:
    """A line of the person's own CPD log: nobody else's, not even their supervisor's."""
    return get_object_or_404(CpdActivity, pk=activity_id, owner=user)


def access_signed_record(token: str) -> SignedRecord:
    """A signed copy by its unguessable token: public, as its holder shared it."""
    return get_object_or_404(SignedRecord, token=token)
