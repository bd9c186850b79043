"""Render form widgets with GOV.UK Frontend classes and the right aria-describedby."""

from django import template
from django.forms import BaseForm, BaseFormSet, BoundField
from django.template import Context
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
    "govuk-file-upload": "govuk-file-upload--error",
}


@register.filter
def govuk_widget(field: BoundField) -> SafeString:
    css = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    classes = [css]
    if field.errors and css in _ERROR_CLASSES:
        classes.append(_ERROR_CLASSES[css])
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if "maxlength" in field.field.widget.attrs:
        # GOV.UK: no maxlength. A browser silently cuts what is typed or pasted at the limit;
        # the field's own check keeps the limit and says it, with what was typed kept (False
        # leaves an attribute out of Django's widget markup).
        attrs["maxlength"] = False
    return field.as_widget(attrs=attrs)


def _has_errors(value: object) -> bool:
    if isinstance(value, BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, BaseFormSet):
        return value.is_bound and not value.is_valid()
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context: Context) -> str:
    """'Error: ' at the start of the page title when any form on the page has errors (or the
    page sets ``error``), as GOV.UK asks, so that a screen reader hears it first. base.html
    calls it once, so no page has to remember it."""
    values = context.flatten().values()
    if any(_has_errors(value) for value in values) or context.get("error"):
        return "Error: "
    return ""
