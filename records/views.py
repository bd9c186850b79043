"""Pages of supervision records (docs/supervision-records.md)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from records.access import access_cpd_activity, access_entry, access_signed_record
from records.bodies import Body, bodies, body, first_of_month
from records.entries import Entry, supervisees_entries
from records.forms import BodyForm, CpdForm, NoteForm, ShareForm
from records.models import CpdActivity, RecordSettings, SignedRecord
from records.pdf import record_pdf
from records.services import cpd as cpd_service
from records.services import record as record_service
from records.services.signed import dated_lines, sign_record, signature_holds
from records.summary import build_record
from reflect import wording
from reflect.access import acting_user
from reflect.csv_export import csv_response
from reflect.errors import DomainError
from reflect.local_time import LONDON
from reflect.models import User
from scheduling.access import supervisor_area
from supervision.models import SupervisorProfile
from supervision.services.photos import image_response


def _today() -> datetime.date:
    return timezone.now().astimezone(LONDON).date()


def _rule_of(user: User) -> tuple[Body, bool]:
    """The body the person chose (and whether they chose one: until then, none)."""
    found = RecordSettings.objects.filter(user=user).values_list("body", flat=True).first()
    return body(found or "none"), found is not None


@login_required
def record_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rule, chosen = _rule_of(user)
    record = build_record(user, rule, today=_today(), with_notes=True)
    return render(
        request,
        "records/record.html",
        {
            "rule": rule,
            "chosen": chosen,
            "record": record,
            "entries": list(reversed(record.entries)),
            "cpd": list(CpdActivity.objects.filter(owner=user)),
            "signed": list(SignedRecord.objects.filter(holder=user).only("token", "digest", "created_at")[:10]),
            "share_form": ShareForm(),
        },
    )


@login_required
def choose_body(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rule, _ = _rule_of(user)
    form = BodyForm(request.POST or None, initial={"body": rule.code})
    if request.method == "POST" and form.is_valid():
        try:
            record_service.choose_body(user, form.cleaned_data["body"])
        except DomainError as error:
            form.add_error("body", error.message)
        else:
            messages.success(
                request, f"Your record now counts your supervision for {body(form.cleaned_data['body']).short_name}."
            )
            return redirect("records_home")
    return render(request, "records/body.html", {"form": form, "bodies": list(bodies().values())})


@login_required
def entry_note(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    user = acting_user(request)
    entry = access_entry(user, kind, entry_id)
    form = NoteForm(request.POST or None, initial={"text": entry.note})
    if request.method == "POST" and form.is_valid():
        try:
            record_service.save_note(user, entry, form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, "Your note is saved. Only you can see it.")
            return redirect("records_home")
    return render(request, "records/note.html", {"form": form, "entry": entry})


def _csv_rows(entries: list[Entry]) -> list[list]:
    return [
        [e.day, e.led_by, e.format, e.supervisees, e.minutes, e.claimable,
         "Yes" if e.countersigned_at else "No", e.countersigned_at.astimezone(LONDON).date() if e.countersigned_at else None]
        for e in entries
    ]  # fmt: skip


@login_required
def record_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The columns of the bodies' supervision logs: date, supervisor, individual or group and
    how many in it, the length, the time claimed and whether it was countersigned. No notes."""
    user = acting_user(request)
    rule, _ = _rule_of(user)
    record = build_record(user, rule, today=_today())
    header = [
        "Date", "Supervisor or facilitator", "Format", "Number of supervisees", "Length (minutes)",
        f"Time claimed for {rule.short_name} (minutes)", "Countersigned", "Countersigned on",
    ]  # fmt: skip
    return csv_response("supervision-record.csv", [header, *_csv_rows(record.entries)])


@require_POST
@login_required
def signed_pdf(request: HttpRequest) -> HttpResponse:
    """Makes a signed copy of the record as it is now and returns it as a PDF, with the address
    of its verification page printed on it."""
    user = acting_user(request)
    form = ShareForm(request.POST)
    share_name = form.is_valid() and form.cleaned_data["share_name"]
    rule, _ = _rule_of(user)
    record = build_record(user, rule, today=_today())
    signed = sign_record(user, record, share_name=bool(share_name))
    url = settings.SITE_URL + reverse("records_verify", args=[signed.token])
    content = record_pdf(signed.payload, digest=signed.digest, verify_url=url)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="supervision-record.pdf"'
    return response


def verify(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Public: what the holder shared, the hash, and whether the signature holds."""
    signed = access_signed_record(str(token))
    return render(
        request,
        "records/verify.html",
        {
            "signed": signed,
            "genuine": signature_holds(signed),
            "payload": signed.payload,
            "entries": dated_lines(signed.payload, "entries"),
            "cpd": dated_lines(signed.payload, "cpd"),  # the CPD log as signed
        },
    )


@login_required
def cpd_add(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = CpdForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cpd_service.add_cpd_activity(
            user, activity=data["activity"], done_on=data["done_on"], hours=data["hours"], learnt=data["learnt"],
            evidence=data["evidence"],
        )  # fmt: skip
        messages.success(request, "Added to your CPD log.")
        return redirect("records_home")
    return render(request, "records/cpd_add.html", {"form": form, "multipart": True})


@login_required
def cpd_evidence(request: HttpRequest, activity_id: int) -> FileResponse:
    """The evidence image, to the activity's owner alone, served like a supervisor's photo."""
    row = access_cpd_activity(acting_user(request), activity_id)
    return image_response(row.evidence, cache_control="private, no-store")


@login_required
def cpd_delete(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Asks first (a removed line and its evidence cannot be brought back), then removes."""
    user = acting_user(request)
    row = access_cpd_activity(user, activity_id)
    if request.method != "POST":
        return render(request, "records/cpd_delete.html", {"activity": row})
    cpd_service.delete_cpd_activity(user, row)
    messages.success(request, "Removed from your CPD log.")
    return redirect("records_home")


# --- Supervisors and facilitators ------------------------------------------------------------


@supervisor_area
def supervisees(request: HttpRequest, profile: SupervisorProfile) -> HttpResponse:
    """The sessions they ran, by supervisee and month, each month countersigned in one click."""
    user = acting_user(request)
    pairs = supervisees_entries(user, since=record_service.countersign_since(timezone.now()))
    people = {u.pk: u for u in User.objects.filter(pk__in={p for p, _ in pairs})}
    groups: dict[tuple[int, datetime.date], list[Entry]] = {}
    for person, entry in pairs:
        if entry.signer_id == user.pk:
            groups.setdefault((person, entry.month), []).append(entry)
    months = [
        {
            "person": people[person],
            "month": month,
            "month_code": month.strftime("%Y-%m"),
            "entries": entries,
            "to_sign": sum(1 for e in entries if e.countersigned_at is None),
            "minutes": sum(e.minutes for e in entries),
        }
        for (person, month), entries in sorted(groups.items(), key=lambda kv: (-kv[0][1].toordinal(), people[kv[0][0]].display_name))
    ]  # fmt: skip
    return render(request, "records/supervisees.html", {"months": months})


@require_POST
@supervisor_area
def countersign(request: HttpRequest, profile: SupervisorProfile, practitioner_id: int, month: str) -> HttpResponse:
    try:
        first = first_of_month(datetime.datetime.strptime(month, "%Y-%m").date())
    except ValueError as error:
        raise Http404("No such month.") from error
    user = acting_user(request)
    signed = record_service.countersign_month(user, practitioner_id, first)
    name = User.objects.get(pk=practitioner_id).display_name
    if signed:
        messages.success(
            request, f"Countersigned {wording.count(signed, 'session')} of {name} in {wording.month(first)}."
        )
    else:
        messages.success(request, f"{name}'s sessions in {wording.month(first)} were already countersigned.")
    return redirect("records_supervisees")
