"""A practitioner's supervision record: entries, claimable minutes, notes kept private,
countersigning, the CPD log, exports and signed copies (docs/supervision-records.md)."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from records.access import access_entry
from records.bodies import body
from records.entries import BOOKING, GROUP, record_entries, supervisees_entries
from records.models import Countersignature, CpdActivity, RecordSettings, ReflectiveNote, SignedRecord
from records.services import record as record_service
from records.services.record import choose_body, countersign_month, countersign_since, save_note
from records.services.signed import signature_holds
from records.summary import build_record
from reflect.data_protection.erasure import erase_account
from reflect.errors import DomainError
from reflect.models import AuditEvent
from supervision.enums import AgreementStatus
from tests.factories.core import signed_in
from tests.factories.typed_input import date_boxes
from tests.records.conftest import at, attended_session

pytestmark = pytest.mark.django_db

NOTE = "I noticed I rescue people when I am tired."


def entries_of(scene, code="bacp"):
    return [
        (e.kind, e.day.isoformat(), e.minutes, e.supervisees, e.claimable)
        for e in record_entries(scene.practitioner, body(code))
    ]


def test_the_record_holds_each_session_attended_with_what_each_body_lets_them_claim(scene):
    assert entries_of(scene, "bacp") == [
        (BOOKING, "2026-11-03", 60, 1, 60),
        (GROUP, "2026-11-11", 120, 6, 20),  # a group of six: 120 ÷ 6
        (BOOKING, "2026-11-17", 120, 3, 60),  # up to four: half
    ]
    assert [e[4] for e in entries_of(scene, "babcp")] == [60, 40, 80]  # ÷ people × 2
    assert [e[4] for e in entries_of(scene, "none")] == [60, 120, 120]


def test_the_record_leaves_out_sessions_not_attended_and_other_peoples(scene, world):
    missed = attended_session(scene.agreement, [world.member], at(24), 60)
    missed.status = "no_show"
    missed.save()
    attended_session(scene.agreement, [world.lead], at(25), 60)
    assert len(record_entries(scene.practitioner, body("none"))) == 3


def test_choosing_a_body_is_checked(scene):
    choose_body(scene.practitioner, "babcp")
    assert RecordSettings.objects.get(user=scene.practitioner).body == "babcp"
    with pytest.raises(DomainError):
        choose_body(scene.practitioner, "gmc")


def test_the_record_page_shows_claimable_minutes_for_the_chosen_body(client, scene):
    signed_in(client, scene.practitioner)
    response = client.post(reverse("records_body"), {"body": "bacp"})
    assert response.status_code == 302
    page = client.get(reverse("records_home")).content.decode()
    assert "Counted for BACP" in page
    assert 'id="total-minutes">5 hours' in page  # 60 + 120 + 120
    assert 'id="claimable-minutes">2 hours 20 minutes' in page  # 60 + 20 + 60
    assert "Short by 1 hour 30 minutes" in page  # December so far: nothing yet, or later months


def test_a_bad_body_is_refused_with_a_message(client, scene):
    signed_in(client, scene.practitioner)
    response = client.post(reverse("records_body"), {"body": "<script>"})
    assert response.status_code == 200
    assert "Choose one of the bodies listed, or none." in response.content.decode()
    assert not RecordSettings.objects.exists()


def test_reflective_notes_are_seen_by_their_writer_alone(client, scene):
    signed_in(client, scene.practitioner)
    url = reverse("records_note", args=[BOOKING, scene.one_to_one.pk])
    assert client.post(url, {"text": NOTE}).status_code == 302
    assert NOTE in client.get(url).content.decode()
    assert ReflectiveNote.objects.get().text == NOTE
    # Not in any export another person reads.
    assert NOTE not in b"".join(client.get(reverse("records_csv")).streaming_content).decode()
    pdf = client.post(reverse("records_signed_pdf"), {"share_name": "on"})
    assert pdf["Content-Type"] == "application/pdf"
    signed = SignedRecord.objects.get()
    assert NOTE not in str(signed.payload)
    assert NOTE not in Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    # Nor to the supervisor, nor to a colleague who asks for the note's address.
    supervisor = signed_in(Client(), scene.supervisor.user)
    assert NOTE not in supervisor.get(reverse("records_supervisees")).content.decode()
    assert supervisor.get(url).status_code == 404
    assert signed_in(Client(), scene.colleagues[0]).get(url).status_code == 404


def test_a_note_on_someone_elses_session_is_a_404(client, scene, world):
    other = attended_session(scene.agreement, [world.lead], at(25), 60)
    signed_in(client, scene.practitioner)
    assert client.get(reverse("records_note", args=[BOOKING, other.pk])).status_code == 404
    assert client.get(reverse("records_note", args=["nonsense", 1])).status_code == 404


def test_one_click_countersigns_a_month_once(scene):
    supervisor = scene.supervisor.user
    november = datetime.date(2026, 11, 1)
    now = at(30)
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 2  # the 1:1 and the group
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 0
    signed = {(e.kind, e.pk): e.countersigned_at for e in record_entries(scene.practitioner, body("none"))}
    assert signed == {
        (BOOKING, scene.one_to_one.pk): now,
        (BOOKING, scene.group_supervision.pk): now,
        (GROUP, scene.group_session.pk): None,  # the facilitator's to sign, not the supervisor's
    }
    # The facilitator signs the group session they ran.
    assert countersign_month(scene.facilitator.user, scene.practitioner.pk, november, now=now) == 1
    assert Countersignature.objects.count() == 3


def _countersigned_in_audit() -> int:
    return sum(e.details["sessions"] for e in AuditEvent.objects.filter(action="records.countersigned"))


def test_two_clicks_at_once_count_each_session_once(scene, monkeypatch):
    """The review's double count: two clicks in flight together (a double click, two tabs) both
    read the month unsigned; the constraint kept one countersignature per session, but both
    clicks reported and audited every session, so the month counted twice."""
    supervisor, november, now = scene.supervisor.user, datetime.date(2026, 11, 1), at(30)
    read_by_second_click = supervisees_entries(supervisor, since=countersign_since(now))
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 2
    monkeypatch.setattr(record_service, "supervisees_entries", lambda *args, **kwargs: read_by_second_click)
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 0
    assert Countersignature.objects.count() == 2
    assert _countersigned_in_audit() == 2


def test_totals_are_exact_after_countersigning_twice_and_editing_between(scene):
    supervisor, november, now = scene.supervisor.user, datetime.date(2026, 11, 1), at(30)
    choose_body(scene.practitioner, "bacp")
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 2
    # Editing between: a note on a countersigned session, and another body chosen and back.
    save_note(scene.practitioner, access_entry(scene.practitioner, BOOKING, scene.one_to_one.pk), NOTE)
    choose_body(scene.practitioner, "babcp")
    choose_body(scene.practitioner, "bacp")
    assert countersign_month(supervisor, scene.practitioner.pk, november, now=now) == 0
    assert countersign_month(scene.facilitator.user, scene.practitioner.pk, november, now=now) == 1
    assert countersign_month(scene.facilitator.user, scene.practitioner.pk, november, now=now) == 0
    record = build_record(scene.practitioner, body("bacp"), today=datetime.date(2026, 11, 30))
    assert (record.total_minutes, record.total_claimable, record.countersigned, len(record.entries)) == (
        300, 140, 3, 3,
    )  # fmt: skip
    assert [(m.month, m.claimable_minutes) for m in record.months] == [(november, 140)]
    assert Countersignature.objects.count() == 3 and _countersigned_in_audit() == 3


def test_countersigning_someone_you_did_not_supervise_is_a_404(scene, world):
    from django.http import Http404

    with pytest.raises(Http404):
        countersign_month(scene.supervisor.user, world.lead.pk, datetime.date(2026, 11, 1), now=at(30))
    with pytest.raises(Http404):
        countersign_month(scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 10, 1), now=at(30))


def test_the_supervisor_countersigns_from_their_list(scene):
    client = signed_in(Client(), scene.supervisor.user)
    page = client.get(reverse("records_supervisees")).content.decode()
    assert "Sam" in page and "Countersign 2 sessions" in page
    url = reverse("records_countersign", args=[scene.practitioner.pk, "2026-11"])
    assert client.post(url).status_code == 302
    assert Countersignature.objects.filter(signed_by=scene.supervisor.user).count() == 2
    # Hostile months and strangers get a 404, not an error.
    assert client.post(reverse("records_countersign", args=[scene.practitioner.pk, "2026-13"])).status_code == 404
    assert signed_in(Client(), scene.practitioner).post(url).status_code == 404


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 20, 20)).save(out, format="PNG")
    return out.getvalue()


def test_cpd_evidence_is_reencoded_and_served_to_its_owner_only(
    client, scene, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    signed_in(client, scene.practitioner)
    upload = SimpleUploadedFile("certificate.png", _png(), content_type="image/png")
    response = client.post(
        reverse("records_cpd_add"),
        {
            "activity": "Trauma-informed practice day",
            **date_boxes("done_on", datetime.date(2026, 11, 20)),
            "hours": "6",
            "learnt": "Grounding.",
            "evidence": upload,
        },
    )
    assert response.status_code == 302
    activity = CpdActivity.objects.get()
    assert activity.evidence.name.startswith("cpd-evidence/") and "certificate" not in activity.evidence.name
    url = reverse("records_cpd_evidence", args=[activity.pk])
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8\xff")  # re-encoded: a PNG came in
    for other in (scene.supervisor.user, world.lead, world.colleague):
        assert signed_in(Client(), other).get(url).status_code == 404
    # Removing the activity asks first, then removes it and its file.
    assert "This cannot be undone." in client.get(reverse("records_cpd_delete", args=[activity.pk])).content.decode()
    assert CpdActivity.objects.exists()
    path = activity.evidence.path
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("records_cpd_delete", args=[activity.pk])).status_code == 302
    assert not CpdActivity.objects.exists()
    assert not pathlib.Path(path).exists()


def test_cpd_evidence_that_is_not_an_image_is_refused_and_nothing_is_saved(client, scene, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    signed_in(client, scene.practitioner)
    upload = SimpleUploadedFile("c.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(
        reverse("records_cpd_add"),
        {
            "activity": "Reading",
            **date_boxes("done_on", datetime.date(2026, 11, 20)),
            "hours": "1.5",
            "learnt": "Things.",
            "evidence": upload,
        },
    )
    assert response.status_code == 200
    assert "The evidence file must be a JPEG, PNG or WebP image." in response.content.decode()
    assert not CpdActivity.objects.exists()


@pytest.mark.parametrize("hours", ["0", "-1", "1e400", "abc", "201", "0.001"])
def test_cpd_hours_out_of_range_are_refused(client, scene, hours):
    signed_in(client, scene.practitioner)
    response = client.post(
        reverse("records_cpd_add"),
        {"activity": "Reading", **date_boxes("done_on", datetime.date(2026, 11, 20)), "hours": hours, "learnt": "x"},
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not CpdActivity.objects.exists()


def test_the_csv_has_the_audit_columns(client, scene):
    choose_body(scene.practitioner, "bacp")
    countersign_month(scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 11, 1), now=at(30))
    signed_in(client, scene.practitioner)
    rows = list(csv.reader(io.StringIO(b"".join(client.get(reverse("records_csv")).streaming_content).decode())))
    assert rows[0] == [
        "Date", "Supervisor or facilitator", "Format", "Number of supervisees", "Length (minutes)",
        "Time claimed for BACP (minutes)", "Countersigned", "Countersigned on",
    ]  # fmt: skip
    assert [r[0] for r in rows[1:]] == ["2026-11-03", "2026-11-11", "2026-11-17"]
    assert [r[2:7] for r in rows[1:]] == [
        ["1:1 supervision", "1", "60", "60", "Yes"],
        ["Reflective practice group", "6", "120", "20", "No"],
        ["Group supervision", "3", "120", "60", "Yes"],
    ]


def test_a_signed_copy_verifies_and_shows_what_was_countersigned(client, scene):
    countersign_month(scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 11, 1), now=at(30))
    signed_in(client, scene.practitioner)
    pdf = client.post(reverse("records_signed_pdf"), {})
    assert pdf.content.startswith(b"%PDF")
    signed = SignedRecord.objects.get()
    assert signed.payload["holder"] is None  # the name was not ticked
    assert [(e["date"], e["countersigned"]) for e in signed.payload["entries"]] == [
        ("2026-11-03", True),
        ("2026-11-11", False),
        ("2026-11-17", True),
    ]
    page = Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    assert "Genuine" in page and signed.digest in page
    assert "Sam" not in page  # not shared
    assert signature_holds(signed)
    # One changed minute and it no longer checks.
    signed.payload["entries"][0]["minutes"] = 90
    signed.save()
    assert not signature_holds(signed)
    assert "does not check" in Client().get(reverse("records_verify", args=[signed.token])).content.decode()


def test_the_cpd_log_is_signed_too_so_a_changed_cpd_line_does_not_check(client, scene):
    """The review found the CPD section of the signed PDF outside what was signed: it could be
    altered and the verification page would still say "Genuine"."""
    CpdActivity.objects.create(
        owner=scene.practitioner, activity="Trauma-informed practice day", done_on=datetime.date(2026, 11, 20),
        hours="6", learnt="Grounding before a hard call.",
    )  # fmt: skip
    signed_in(client, scene.practitioner)
    text = _pdf_text(client.post(reverse("records_signed_pdf"), {}).content)
    signed = SignedRecord.objects.get()
    assert signed.payload["cpd"] == [
        {"date": "2026-11-20", "activity": "Trauma-informed practice day", "minutes": 360,
         "learnt": "Grounding before a hard call."},
    ]  # fmt: skip
    assert r"20 Nov 2026: Trauma-informed practice day \(6 hours\)" in text and "Grounding before a hard call." in text
    page = Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    assert "Genuine" in page and "Trauma-informed practice day" in page and "Grounding before a hard call." in page
    # Editing the log afterwards changes the person's log, not the copy they handed out: the
    # page still shows what was signed, so a PDF altered to match the edit is caught.
    CpdActivity.objects.update(hours="16", activity="A week's course")
    page = Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    assert "Genuine" in page and "Trauma-informed practice day" in page and "A week" not in page
    # A CPD line changed in the stored copy no longer checks.
    signed.payload["cpd"][0]["minutes"] = 960
    signed.save()
    assert not signature_holds(signed)
    assert "does not check" in Client().get(reverse("records_verify", args=[signed.token])).content.decode()


def test_the_verification_page_outlives_leaving_the_pool_and_keeps_only_the_hash_after_erasure(client, scene):
    signed_in(client, scene.practitioner)
    client.post(reverse("records_signed_pdf"), {"share_name": "on"})
    signed = SignedRecord.objects.get()
    assert signed.payload["holder"] == scene.practitioner.display_name
    scene.practitioner.memberships.update(left_at=at(30))
    assert "Genuine" in Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    client.post(reverse("records_note", args=[BOOKING, scene.one_to_one.pk]), {"text": NOTE})
    erase_account(scene.practitioner, acting_user=scene.practitioner)
    signed.refresh_from_db()
    assert signed.payload == {} and signed.holder is None and signed.erased_at is not None
    page = Client().get(reverse("records_verify", args=[signed.token])).content.decode()
    assert signed.digest in page and "erased" in page and "Sam" not in page
    assert not ReflectiveNote.objects.exists() and not RecordSettings.objects.exists()


def _pdf_text(content: bytes) -> str:
    """The PDF's page text: fpdf2 deflates each content stream."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL)
    return "".join(zlib.decompress(s).decode("latin-1") for s in streams if s.startswith(b"x"))


def test_the_pdf_prints_the_hash_and_the_verification_address_and_no_note(client, scene):
    signed_in(client, scene.practitioner)
    client.post(reverse("records_note", args=[BOOKING, scene.one_to_one.pk]), {"text": NOTE})
    text = _pdf_text(client.post(reverse("records_signed_pdf"), {}).content)
    signed = SignedRecord.objects.get()
    assert signed.digest in text
    assert f"/records/verify/{signed.token}/" in text
    assert "rescue" not in text


def test_erasing_a_supervisor_keeps_their_countersignatures_on_the_supervisees_record(scene):
    countersign_month(scene.supervisor.user, scene.practitioner.pk, datetime.date(2026, 11, 1), now=at(30))
    scene.supervisor.agreements.update(status=AgreementStatus.ENDED)  # running agreements block erasure
    erase_account(scene.supervisor.user, acting_user=scene.supervisor.user)
    assert [e.countersigned_at for e in record_entries(scene.practitioner, body("none")) if e.kind == BOOKING] == [
        at(30),
        at(30),
    ]
