"""The admin's preview of every kind of notification, rendered with sample data."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from reflect.channels import render_kind
from reflect.notification_kinds import all_kinds, kind_spec


def _sample(kind: str) -> dict[str, object]:
    context = dict(kind_spec(kind).sample_context())
    context.update(context.pop("secret", {}))
    context.setdefault("recipient", {"first_name": "Sam", "email": "sam@example.org"})
    context["site_url"] = settings.SITE_URL
    return context


def notification_preview(request: HttpRequest, kind: str | None = None) -> HttpResponse:
    kinds = all_kinds()
    selected = None
    if kind is not None:
        try:
            spec = kind_spec(kind)
        except LookupError:
            raise Http404("No such kind of notification.") from None
        message = render_kind(kind, _sample(kind))
        if request.GET.get("format") == "html":
            # The HTML e-mail on its own, as a mail program would show it.
            return HttpResponse(message.html or "<p>This kind has no HTML version.</p>")
        selected = {"spec": spec, "message": message}
    context = {
        **admin.site.each_context(request),
        "title": "Notification previews",
        "kinds": kinds,
        "selected": selected,
    }
    return TemplateResponse(request, "admin/reflect/notification_preview.html", context)
