"""My data: see and take everything Reflect holds about you, or erase your account.

There is no id in these addresses: they are always about the person signed in, so nobody
can ask for someone else's data.
"""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from reflect.access import acting_user
from reflect.data_protection.erasure import erase_account
from reflect.data_protection.export import export_document, export_sections
from reflect.data_protection.registry import erasure_blockers
from reflect.errors import DomainError
from reflect.services.audit import record_view


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that my account will be erased and that this cannot be undone",
        error_messages={"required": "Tick the box to confirm that you want your account erased"},
    )


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    sections = export_sections(user)
    return render(request, "reflect/data_protection/my_data.html", {"sections": sections})


def _download(content: str, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="reflect-my-data-{timezone.localdate():%Y-%m-%d}.{extension}"'
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_json(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    document = export_document(user)
    record_view("personal_data.exported", actor=user, target=user, format="json")
    return _download(json.dumps(document, indent=2, ensure_ascii=False), "application/json; charset=utf-8", "json")


@login_required
@require_GET
def export_html(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    document = export_document(user)
    html = render_to_string("reflect/data_protection/export_document.html", {"document": document})
    record_view("personal_data.exported", actor=user, target=user, format="html")
    return _download(html, "text/html; charset=utf-8", "html")


@login_required
@require_GET
def erase(request: HttpRequest) -> HttpResponse:
    """What erasing means, and anything to do first. Nothing changes here."""
    user = acting_user(request)
    return render(request, "reflect/data_protection/erase.html", {"blockers": erasure_blockers(user)})


@login_required
@reauthentication_required
def erase_confirm(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    blockers = erasure_blockers(user)
    if blockers:
        return redirect("my_data_erase")
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            erase_account(user, acting_user=user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("my_data_erase")
        logout(request)
        return redirect("my_data_erased")
    return render(request, "reflect/data_protection/erase_confirm.html", {"form": form})


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "reflect/data_protection/erased.html")
