"""What supervision records hold about a person, for export and erasure (reflect/data_protection/).

On erasure: the person's body choice, notes and CPD log (with its files) are deleted; the
countersignatures on their sessions go with their sessions' record; countersignatures they
gave as a supervisor stay without their name (the supervisee's evidence). Each signed copy they
shared keeps only its hash, signature and dates, so a copy in someone's hands can still be
checked; its contents (name, sessions) are cleared (docs/supervision-records.md).
"""

from __future__ import annotations

from records.models import Countersignature, CpdActivity, RecordSettings, ReflectiveNote, SignedRecord
from reflect.data_protection.registry import Erasure, register_erasure_step
from reflect.data_protection.registry import register_export as export

export(RecordSettings, "Your supervision record's professional body", lambda u: RecordSettings.objects.filter(user=u), ["body", "updated_at"], order=60)  # fmt: skip
export(ReflectiveNote, "Your reflective notes on supervision sessions", lambda u: ReflectiveNote.objects.filter(owner=u), [("Supervision session", "booking_id"), ("Group session", "group_session_id"), "text", "updated_at"], order=61)  # fmt: skip
export(CpdActivity, "Your CPD log", lambda u: CpdActivity.objects.filter(owner=u), ["activity", "done_on", "hours", "learnt", ("Evidence file", lambda a: "yes" if a.evidence else "no"), "created_at"], order=62)  # fmt: skip
export(Countersignature, "Countersignatures on your sessions", lambda u: Countersignature.objects.filter(practitioner=u), [("Supervision session", "booking_id"), ("Group session", "group_session_id"), "signed_at"], order=63)  # fmt: skip
export(SignedRecord, "Signed copies of your supervision record you shared", lambda u: SignedRecord.objects.filter(holder=u), ["token", "digest", "created_at", "payload"], order=64)  # fmt: skip


@register_erasure_step(40, "records: delete notes, CPD log and body choice; keep only the hash of signed copies")
def erase_records(erasure: Erasure) -> None:
    user = erasure.user
    erasure.count("reflective_notes_deleted", ReflectiveNote.objects.filter(owner=user).delete()[0])
    for row in CpdActivity.objects.filter(owner=user).exclude(evidence=""):
        row.evidence.delete(save=False)
    erasure.count("cpd_activities_deleted", CpdActivity.objects.filter(owner=user).delete()[0])
    RecordSettings.objects.filter(user=user).delete()
    erasure.count("countersignatures_deleted", Countersignature.objects.filter(practitioner=user).delete()[0])
    erasure.count(
        "signed_copies_emptied",
        SignedRecord.objects.filter(holder=user).update(payload={}, holder=None, erased_at=erasure.now),
    )
