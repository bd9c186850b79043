"""Error messages that name their field, in the GOV.UK style, for every form on the site
(docs/conventions.md, "Error messages").

Django's own messages ("This field is required.", "Enter a whole number.") do not say which
field they are about: an error summary with three "This field is required." lines tells a
person nothing. Before a form validates, ``name_the_fields`` replaces each of Django's default
messages on its fields with one that names the field ("Enter your e-mail address", "Number of
places must be a whole number"). A message a form sets itself is left alone.

``ReflectConfig.ready`` applies it to every form, ours and allauth's, by running it at the start
of ``BaseForm.full_clean``: once, in one place, so a new form cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.utils import pretty_name

# What Django writes, by error code, for each field class (merged up the class's ancestry,
# as Field.__init__ merges them): a field's message is replaced only while it is still one of these.
Wording = Callable[[str, str], str]


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


# Each code's message, given the label as it reads mid-sentence and at the start of one.
MESSAGES: dict[str, Wording] = {
    "invalid_choice": lambda label, _: f"Choose {label} from the options given",
    "invalid_list": lambda label, _: f"Choose {label} from the options given",
    "invalid_pk_value": lambda label, _: f"Choose {label} from the options given",
    "max_length": lambda _, label: f"{label} must be %(limit_value)d characters or fewer",
    "min_length": lambda _, label: f"{label} must be %(limit_value)d characters or more",
    "max_value": lambda _, label: f"{label} must be %(limit_value)s or less",
    "min_value": lambda _, label: f"{label} must be %(limit_value)s or more",
    "step_size": lambda _, label: f"{label} must be a multiple of %(limit_value)s",
    "max_digits": lambda _, label: f"{label} must have no more than %(max)s digits",
    "max_decimal_places": lambda _, label: f"{label} must have no more than %(max)s decimal places",
    "max_whole_digits": lambda _, label: f"{label} is too large",
    "null_characters_not_allowed": lambda _, label: f"{label} must not contain a null character",
    "empty": lambda _, label: f"{label} is an empty file: choose another",
    "missing": lambda _, label: f"{label} did not arrive: choose the file again",
    "contradiction": lambda label, _: f"Either choose a new file for {label} or tick to clear it, not both",
    "invalid_image": lambda _, label: f"{label} must be a picture (JPEG, PNG or GIF)",
    "overflow": lambda _, label: f"{label} is too far in the past or the future",
}

# "invalid" depends on what the field holds.
INVALID: list[tuple[type[forms.Field], Wording]] = [
    (forms.EmailField, lambda label, _: f"Enter {label} in the correct format, like name@example.com"),
    (forms.URLField, lambda label, _: f"Enter {label} as a web address, like https://example.org"),
    (forms.IntegerField, lambda _, label: f"{label} must be a whole number"),
    (forms.DecimalField, lambda _, label: f"{label} must be a number"),
    (forms.FloatField, lambda _, label: f"{label} must be a number"),
    (forms.DateTimeField, lambda _, label: f"{label} must be a real date and time"),
    (forms.DateField, lambda _, label: f"{label} must be a real date"),
    (forms.TimeField, lambda _, label: f"{label} must be a time, like 9:30am or 2pm"),
    (forms.DurationField, lambda _, label: f"{label} must be a length of time"),
    (forms.UUIDField, lambda _, label: f"{label} is not a reference we know"),
    (forms.JSONField, lambda _, label: f"{label} is not in a form we can read"),
    (forms.FileField, lambda label, _: f"Choose a file for {label}"),
]

# Django fills these codes' messages with %-formatting (a limit, the value given): a "%" in a
# label ("Overbooking (%)") must be doubled in them, and only in them.
FORMATTED = {
    "max_length",
    "min_length",
    "max_value",
    "min_value",
    "step_size",
    "max_digits",
    "max_decimal_places",
    "max_whole_digits",
    "invalid_choice",
    "invalid_pk_value",
    "overflow",
}

CHOOSING = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField, forms.FileField)


def django_defaults(field_class: type[forms.Field]) -> dict[str, Any]:
    """Django's own messages for a field class, as Field.__init__ merges them."""
    messages: dict[str, Any] = {}
    for cls in reversed(field_class.__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def field_label(name: str, field: forms.Field) -> str:
    """The label as it reads mid-sentence: 'your e-mail address', 'number of places'."""
    label = str(field.label if field.label is not None else pretty_name(name)).strip().rstrip(":")
    # Lower the first letter unless the word is an acronym ("PDF", "URL", "GP").
    if len(label) > 1 and label[0].isupper() and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _required(field: forms.Field, label: str) -> str:
    if label.endswith("?"):
        # A question for a label ("How should we contact you?"): ask for an answer to it.
        return f"Answer the question “{_capital(label)}”"
    if isinstance(field, forms.BooleanField):
        return f"Tick to confirm {label}" if label else "Tick the box to continue"
    if isinstance(field, CHOOSING):
        return f"Select {label}"
    return f"Enter {label}"


def messages_for(name: str, field: forms.Field) -> dict[str, str]:
    """The field's messages in our words, for each code that still has Django's message."""
    label = field_label(name, field)
    capital = _capital(label.rstrip("?"))
    defaults = django_defaults(type(field))
    # A validator's message (max_length on a CharField, say) is replaced by the field's message
    # for the same code when the field has one (Field.run_validators): give it one.
    codes = dict(field.error_messages)
    for validator in field.validators:
        # One code (MaxLengthValidator's), or several (DecimalValidator's digits and places).
        code = getattr(validator, "code", None)
        own = {code: getattr(validator, "message", "")} if code else getattr(validator, "messages", {})
        for code, message in own.items():
            if code not in codes:
                codes[code] = defaults[code] = message
    ours: dict[str, str] = {}
    for code, message in codes.items():
        if code not in defaults or str(message) != str(defaults[code]):
            continue  # the form wrote its own message: keep it
        if code == "required":
            ours[code] = _required(field, label)
        elif code == "invalid":
            wording = next((w for cls, w in INVALID if isinstance(field, cls)), None)
            ours[code] = (wording or (lambda _, c: f"{c} is not valid: check it and try again"))(label, capital)
        elif code in MESSAGES:
            if code in FORMATTED:
                ours[code] = MESSAGES[code](label.replace("%", "%%"), capital.replace("%", "%%"))
            else:
                ours[code] = MESSAGES[code](label, capital)
    return ours


def name_the_fields(form: forms.BaseForm) -> None:
    """Give each field of this form instance messages that name it (fields are copied per
    instance, so this changes no other form)."""
    for name, field in form.fields.items():
        field.error_messages.update(messages_for(name, field))
        if isinstance(field, forms.MultiValueField):
            for part in field.fields:
                part.error_messages.update(messages_for(name, part))
