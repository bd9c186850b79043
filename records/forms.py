from __future__ import annotations

from typing import Any

from django import forms

from records.bodies import bodies
from reflect import text_limits
from reflect.fields import GovukDateField
from supervision.services.photos import MAX_UPLOAD_BYTES, NotAPhoto, reencode


class BodyForm(forms.Form):
    body = forms.ChoiceField(
        label="Which professional body do you count your supervision for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose a professional body, or none.",
            "invalid_choice": "Choose one of the bodies listed, or none.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(b.code, b.name) for b in bodies().values()]


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Your reflective note",
        help_text="Only you can see this: not your supervisor, your lead or anyone else. It is never in the PDF, the CSV or a signed copy. Leave it empty to remove it.",
        required=False,
        max_length=text_limits.DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class CpdForm(forms.Form):
    activity = forms.CharField(
        label="Activity", max_length=text_limits.NAME, error_messages={"required": "Enter the activity."}
    )
    done_on = GovukDateField(label="Date", subject="the date of the activity")
    hours = forms.DecimalField(
        label="Hours",
        min_value=0.25,
        max_value=200,
        max_digits=5,
        decimal_places=2,
        error_messages={
            "required": "Enter the hours, for example 1.5.",
            "invalid": "Enter the hours as a number, for example 1.5.",
            "min_value": "Enter at least a quarter of an hour (0.25).",
            "max_value": "Enter at most 200 hours for one activity.",
            "max_decimal_places": "Enter the hours to two decimal places at most.",
            "max_digits": "Enter at most 200 hours for one activity.",
        },
    )
    learnt = forms.CharField(
        label="What you learnt",
        max_length=text_limits.DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say in a sentence or two what you learnt."},
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        help_text="A photo or scan of a certificate: a JPEG, PNG or WebP of up to 5 MB. Only you can open it.",
        required=False,
    )

    def clean_evidence(self) -> Any:
        """Same rules as a supervisor's photo: size first, then decoded and re-encoded with
        Pillow (supervision/services/photos.py), so only plain pixels are ever stored."""
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The evidence file must be 5 MB or smaller.")
        try:
            return reencode(upload).as_file()
        except NotAPhoto as error:
            raise forms.ValidationError(
                error.message.replace("The photo", "The evidence file")
                + " Photograph or scan a certificate as an image."
            ) from error


class ShareForm(forms.Form):
    share_name = forms.BooleanField(
        label="Show my name on the verification page",
        required=False,
        help_text="Without it, the page shows the sessions and the hash but not who they belong to.",
    )
