"""Supervision records in a real browser, every page checked by axe-core: a supervisor
countersigns a month from their home page; a member of staff goes from their home page to their
record, chooses their professional body, sees the minutes it lets them claim, downloads a
signed PDF; and a stranger with no account opens its verification page and sees what was
countersigned, and nothing private (docs/supervision-records.md)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from records.models import SignedRecord
from tests.e2e.steps import checked, follow, sign_in, submit, visit
from tests.factories.bookings import agree
from tests.factories.core import PASSWORD, MembershipFactory, OrganisationFactory, PoolFactory, give_two_factor
from tests.factories.supervision import make_supervisor
from tests.records.conftest import attended_session

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NOTE = "I rescue people when I am tired."


def main_text(page: Any) -> str:
    return page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_countersign_then_record_then_signed_pdf_then_verification(
    live_server: Any, person: Callable[[], Any], tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    pool = PoolFactory(name="Leeds pool")
    organisation = OrganisationFactory(name="Harehills Drama", in_pool=pool)
    sam = MembershipFactory(organisation=organisation, user__first_name="Sam", user__email="sam@example.org").user
    kim = MembershipFactory(organisation=organisation, user__first_name="Kim", user__email="kim@example.org").user
    supervisor = make_supervisor("Ruth")
    secret = give_two_factor(supervisor.user)
    agreement = agree(pool, organisation, supervisor)
    # Earlier this month (or at the end of the last, early in a month): an hour alone, and two
    # hours in a group with Kim (BACP: half of it, 60 minutes).
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - datetime.timedelta(days=3)
    month_name = f"{start:%B %Y}"
    attended_session(agreement, [sam], start, 60)
    attended_session(agreement, [sam, kim], start + datetime.timedelta(hours=2), 120)

    # The supervisor: home → countersign → one click for Sam's month.
    ruth = person()
    sign_in(ruth, base, supervisor.user.email, PASSWORD, secret=secret)
    follow(ruth, "Countersign your supervisees' sessions")
    assert f"Sam Example, {month_name}" in main_text(ruth)
    ruth.screenshot(path=str(SCREENSHOTS / "records-countersign-before.png"), full_page=True)
    submit(ruth, f"Countersign 2 sessions of Sam Example in {month_name}")
    assert f"Countersigned 2 sessions of Sam Example in {month_name}." in main_text(ruth)
    assert "All countersigned." in main_text(ruth)
    ruth.screenshot(path=str(SCREENSHOTS / "records-countersign-after.png"), full_page=True)

    # Sam: home → record → choose BACP → the minutes it lets them claim.
    page = person()
    sign_in(page, base, sam.email, PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "records-home-staff-after.png"), full_page=True)
    follow(page, "Your supervision record")
    assert "Counted for None" in main_text(page)
    follow(page, "Choose your professional body")
    page.get_by_label("BACP (British Association for Counselling and Psychotherapy)").check()
    submit(page, "Save")
    text = main_text(page)
    assert "Your record now counts your supervision for BACP." in text
    assert page.locator("#total-minutes").inner_text() == "3 hours"
    assert page.locator("#claimable-minutes").inner_text() == "2 hours"  # 60 + half of 120
    assert "2 of 2 sessions" in text
    assert "Group supervision of 2 people, Ruth Example" in text
    # A private note on the first session.
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Add a note").first.click()
    checked(page)
    page.get_by_label("Your reflective note").fill(NOTE)
    submit(page, "Save the note")
    # A CPD activity with a certificate photographed; a file that is not an image is refused.
    follow(page, "Add an activity")
    page.get_by_label("Activity").fill("Trauma-informed practice day")
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("2026")
    page.get_by_label("Hours").fill("6.5")
    page.get_by_label("What you learnt").fill("Grounding before a group starts.")
    fake = tmp_path / "certificate.png"
    fake.write_bytes(b"<svg onload=alert(1)>")
    page.get_by_label("Evidence (optional)").set_input_files(str(fake))
    submit(page, "Add the activity")
    assert "The evidence file must be a JPEG, PNG or WebP image." in main_text(page)
    certificate = tmp_path / "certificate.jpg"
    Image.new("RGB", (60, 40), (20, 120, 60)).save(certificate, format="JPEG")
    page.get_by_label("Evidence (optional)").set_input_files(str(certificate))
    submit(page, "Add the activity")
    assert "Added to your CPD log." in main_text(page)
    assert "6 hours 30 minutes" in main_text(page)
    page.screenshot(path=str(SCREENSHOTS / "records-record-after.png"), full_page=True)
    # Removing it asks first.
    follow(page, "Remove Trauma-informed practice day")
    assert "This cannot be undone." in main_text(page)
    follow(page, "Keep it")
    # The signed PDF, with the name shared.
    page.get_by_label("Show my name on the verification page").check()
    with page.expect_download() as download:
        page.locator("main").get_by_role("button", name="Download a signed PDF").click()
    assert download.value.suggested_filename == "supervision-record.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    signed = SignedRecord.objects.get()

    # Anyone, signed out: the verification page shows the hash and what was countersigned.
    stranger = person()
    visit(stranger, f"{base}/records/verify/{signed.token}/")
    text = main_text(stranger)
    assert "Genuine" in text and signed.digest in text and "Sam Example" in text
    sessions, cpd = stranger.locator("table").all()
    rows = sessions.locator("tbody tr").all_inner_texts()
    assert len(rows) == 2 and all(row.rstrip().endswith("Yes") for row in rows)
    # The CPD log is signed too, and shown as signed (review of issue #21).
    assert cpd.locator("caption").inner_text() == "CPD log"
    assert cpd.locator("tbody tr").all_inner_texts() == [
        "20 Nov 2026\tTrauma-informed practice day\t6 hours 30 minutes\tGrounding before a group starts."
    ]
    assert NOTE not in stranger.content()
    stranger.screenshot(path=str(SCREENSHOTS / "records-verify-after.png"), full_page=True)
