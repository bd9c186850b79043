from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from reflect import wording
from reflect.fields import GovukDateField
from reflect.forms import form_field
from reflect.models import Community, Organisation, Pool
from reflect.row_choices import RowChoice, RowChoices
from reflect.text_limits import DESCRIPTION, LIST, NAME, NOTE, SEARCH, bounded, too_long
from supervision.enums import SPECIALISMS, QuestionKind
from supervision.models import CHECK_IN_SCALE, OFFER_CHOICES, Question, SupervisorProfile
from supervision.registration import shape_error
from supervision.scoring import PERIOD_ALLOWED, RATE_ALLOWED, TRAINING_DAY_COST_ALLOWED, TRAINING_DAYS_ALLOWED
from supervision.services.photos import MAX_UPLOAD_BYTES, NotAPhoto, reencode


class StartForm(forms.Form):
    organisation = forms.ChoiceField(label="Which organisation is this for?", widget=forms.RadioSelect, required=False)
    organisation_name = forms.CharField(
        label="Your organisation's name (optional)",
        **bounded("your organisation's name", NAME),
        required=False,
        help_text="It goes on the brief for clinicians. Leave it empty to stay anonymous.",
    )
    about = forms.CharField(
        label="What does your organisation do, and who for? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        **bounded("what your organisation does", NOTE),
        required=False,
        help_text="For example, “a weekly drama group for refugee and asylum-seeking women”. It goes on the brief.",
    )
    OTHER = "other"

    def __init__(self, *args: Any, led: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if led:
            form_field(self, "organisation", forms.ChoiceField).choices = [(str(o.pk), o.name) for o in led] + [
                (self.OTHER, "Another organisation, or I am just exploring")
            ]
            self.fields["organisation"].required = True
            self.fields["organisation"].error_messages["required"] = "Choose which organisation this is for."
        else:
            del self.fields["organisation"]
        self.led = {str(o.pk): o for o in led}

    def chosen_organisation(self) -> Organisation | None:
        return self.led.get(self.cleaned_data.get("organisation") or "")


class SectionForm(forms.Form):
    """One section's questions. With ``partial`` (save and come back later) nothing is required."""

    def __init__(self, *args: Any, questions: list[Question], partial: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.key] = self._field(question, required=question.required and not partial)

    @staticmethod
    def _field(question: Question, *, required: bool) -> forms.Field:
        common: dict[str, Any] = {
            "label": question.text,
            "help_text": question.hint,
            "required": required,
        }
        choices = [(o.value, o.label) for o in question.options.all()]
        if question.kind == QuestionKind.MULTIPLE:
            field: forms.Field = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
            message = f"Select at least one answer to “{question.text}”."
        elif question.kind == QuestionKind.NUMBER:
            field = forms.IntegerField(
                min_value=0,
                max_value=10000,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
                **common,
            )
            message = f"Enter a number for “{question.text}” (0 if none)."
            field.error_messages["invalid"] = f"Enter a whole number for “{question.text}”, like 3."
            field.error_messages["min_value"] = f"Enter 0 or more for “{question.text}”."
            field.error_messages["max_value"] = f"Enter 10,000 or fewer for “{question.text}”."
        else:
            field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            message = f"Answer “{question.text}”."
        field.error_messages["required"] = message
        # The shared field template shows questions as larger labels, with "why we ask" below:
        # it reads these two from the field, which Django's Field does not declare.
        field.label_size = "m"  # type: ignore[attr-defined]
        field.why_we_ask = question.why_we_ask  # type: ignore[attr-defined]
        return field


def _bounded_as(message: str, limit: int) -> dict[str, Any]:
    """A costing field's ``max_length``, refused with what the costing allows (``message``, from
    supervision.scoring): "Enter a period between 1 and 60 months", not a count of characters,
    since nothing that long is a period, a rate or a number of days."""
    return {"max_length": limit, "error_messages": {"max_length": message}}


class CostForm(forms.Form):
    months = forms.CharField(
        label="Period (months)",
        **_bounded_as(PERIOD_ALLOWED, 6),
        help_text="How long the bid runs for, for example 12.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    rate_source = forms.ChoiceField(label="Hourly rate", widget=forms.RadioSelect, required=False)
    rate = forms.CharField(
        label="Hourly rate (£)",
        **_bounded_as(RATE_ALLOWED, 12),
        required=False,
        help_text="What a clinician charges for an hour; £60 is typical for a registered clinician.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )
    training_days = forms.CharField(
        label="Training days (optional)",
        **_bounded_as(TRAINING_DAYS_ALLOWED, 6),
        required=False,
        help_text="Days of training for your staff on the topics above, for example 2; 0 or empty for none.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )
    training_day_cost = forms.CharField(
        label="Cost of a training day (£)",
        **_bounded_as(TRAINING_DAY_COST_ALLOWED, 12),
        required=False,
        help_text="What a trainer charges for a day; £600 is typical.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
    )
    training_paid_by = forms.ChoiceField(
        label="Who pays for the training",
        choices=[
            ("own", "Our own budget: include it in this bid"),
            ("pool", "Our pool supplies it: show it, but not in the total"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    TYPED = "typed"

    def training(self) -> dict[str, Any]:
        """The training line's inputs for supervision.scoring.cost (checked there)."""
        return {
            "training_days": (self.cleaned_data.get("training_days") or "0").strip(),
            "training_day_cost": (self.cleaned_data.get("training_day_cost") or "")
            .replace("£", "")
            .replace(",", "")
            .strip(),
            "training_from_pool": self.cleaned_data.get("training_paid_by") == "pool",
        }

    def __init__(self, *args: Any, pools: list[Pool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pools = {f"pool-{p.pk}": p for p in pools}
        if pools:
            form_field(self, "rate_source", forms.ChoiceField).choices = [
                (key, f"{pool.name}: {wording.money(pool.hourly_rate)} an hour") for key, pool in self.pools.items()
            ] + [(self.TYPED, "A rate I type below")]
        else:
            del self.fields["rate_source"]

    def chosen_rate(self) -> str:
        source = self.cleaned_data.get("rate_source") or self.TYPED
        if source in self.pools:
            return str(self.pools[source].hourly_rate)
        return (self.cleaned_data.get("rate") or "").replace("£", "").replace(",", "").strip()


class SaveToOrganisationForm(forms.Form):
    organisation = forms.ChoiceField(label="Save this result to", widget=forms.RadioSelect)

    def __init__(self, *args: Any, led: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organisation", forms.ChoiceField).choices = [(str(o.pk), o.name) for o in led]
        self.led = {str(o.pk): o for o in led}


class CompareForm(forms.Form):
    before = forms.ChoiceField(label="Earlier result")
    after = forms.ChoiceField(label="Later result")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "before", forms.ChoiceField).choices = choices
        form_field(self, "after", forms.ChoiceField).choices = choices

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("before") and data.get("before") == data.get("after"):
            self.add_error("after", "Choose two different results to compare.")
        return data


# --- Supervisor profiles, the directory, requests and agreements (docs/matching.md) ----------------


def _words(text: str) -> list[str]:
    """ "Urdu, Punjabi ,  " → ["Urdu", "Punjabi"], without repeats."""
    seen: list[str] = []
    for word in (part.strip() for part in text.split(",")):
        if word and word.lower() not in (s.lower() for s in seen):
            seen.append(word)
    return seen


class ListField(forms.CharField):
    """A comma-separated list in a text box, stored as a JSON list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    # Cleans to a list where CharField cleans to text: the return type differs on purpose.
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        # max_length bounds the text typed: CharField's own validator would count the list.
        if self.max_length is not None and len(text) > self.max_length:
            raise forms.ValidationError(self.error_messages["max_length"], code="max_length")
        return _words(text)

    def run_validators(self, value: Any) -> None:
        # The length was checked on the text in to_python; the list has no length validators.
        return None


class SupervisorProfileForm(forms.ModelForm):
    specialisms = forms.MultipleChoiceField(
        choices=[(s, s) for s in SPECIALISMS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Presentations you can support staff with",
        help_text="The presentations the needs questionnaire asks organisations about.",
    )
    offers = forms.MultipleChoiceField(
        choices=OFFER_CHOICES, widget=forms.CheckboxSelectMultiple, label="What you offer"
    )
    modalities = ListField(
        required=False,
        **bounded("your modalities", LIST),
        label="Modalities",
        help_text="Separate them with commas, for example CBT, group analytic.",
    )
    languages = ListField(
        **bounded("your languages", LIST),
        label="Languages you work in",
        help_text="Separate them with commas, for example English, Urdu.",
    )
    in_person_areas = ListField(
        required=False,
        label="Areas where you can meet in person",
        **bounded("the areas", LIST),
        help_text="Separate them with commas, for example Harehills, Chapeltown. Leave empty for online only.",
    )
    communities = RowChoices(
        queryset=Community.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Communities you have worked with",
    )

    class Meta:
        model = SupervisorProfile
        fields = [
            "profession",
            "professional_body",
            "registration_number",
            "modalities",
            "specialisms",
            "offers",
            "group_work_experience",
            "community_experience",
            "communities",
            "languages",
            "online",
            "in_person_areas",
            "hourly_rate",
            "monthly_capacity_hours",
            "accepting_organisations",
            "agrees_non_clinical",
            "bio",
            "photo",
        ]
        labels = {"registration_number": "Registration or membership number"}
        help_texts = {
            "registration_number": "An administrator checks it against your body's register before you are listed.",
            "agrees_non_clinical": "Community organisations are often not clinical services. You must agree to be listed.",
            "photo": "Optional. A JPEG, PNG or WebP of up to 5 MB: a face makes first contact less daunting.",
        }
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
        error_messages = {
            "profession": too_long("your profession", 120),
            "registration_number": too_long("the registration number", 30),
            "bio": too_long("a few words about you", DESCRIPTION),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        body, number = data.get("professional_body"), data.get("registration_number")
        if body and number is not None:
            error = shape_error(body, number)
            if error:
                self.add_error("registration_number", error)
        if not data.get("online") and not data.get("in_person_areas"):
            self.add_error("in_person_areas", "Offer online sessions, or name at least one area to meet in person.")
        return data

    def clean_photo(self) -> Any:
        """A new upload becomes a re-encoded copy under a random name; only its pixels are
        kept (supervision/services/photos.py, docs/security.md)."""
        photo = self.cleaned_data.get("photo")
        if photo is False:
            return ""  # "clear" ticked: no photo
        if not photo or not hasattr(photo, "content_type"):
            return photo  # unchanged
        if photo.size > MAX_UPLOAD_BYTES:  # checked before decoding: the work stays bounded
            raise forms.ValidationError("The photo must be 5 MB or smaller.")
        try:
            return reencode(photo).as_file()
        except NotAPhoto as error:
            raise forms.ValidationError(error.message) from None


class DirectoryFilterForm(forms.Form):
    """The directory's filters: a GET form, so it works without JavaScript and can be linked."""

    specialism = forms.ChoiceField(choices=[("", "Any")] + [(s, s) for s in SPECIALISMS], required=False)
    offer = forms.ChoiceField(choices=[("", "Any"), *OFFER_CHOICES], required=False, label="Offers")
    delivery = forms.ChoiceField(
        choices=[("", "Any"), ("online", "Online"), ("in_person", "In person")], required=False
    )
    area = forms.CharField(
        required=False, **bounded("an area", SEARCH), label="In-person area", help_text="For example, Harehills."
    )
    language = forms.CharField(required=False, **bounded("a language", SEARCH), help_text="For example, Urdu.")
    has_capacity = forms.BooleanField(required=False, label="Only supervisors with hours left this month")


class SupervisionRequestForm(forms.Form):
    pool = RowChoice(queryset=Pool.objects.none(), empty_label=None, label="Paid from")
    format = forms.ChoiceField(choices=OFFER_CHOICES, widget=forms.RadioSelect)
    hours_per_month = forms.DecimalField(
        label="Hours a month", min_value=Decimal("0.5"), max_digits=6, decimal_places=2, help_text="For example, 1.5."
    )
    starts_on = GovukDateField(label="Start", subject="the start date")
    review_on = GovukDateField(
        label="Review date", subject="the review date", help_text="Usually three months in. For example, 14 4 2027"
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        **bounded("your message", DESCRIPTION),
        help_text="What your team does and hopes for. Do not name anyone you support.",
    )

    def __init__(self, *args: Any, pools: Any, offers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "pool", forms.ModelChoiceField).queryset = pools
        form_field(self, "format", forms.ChoiceField).choices = [
            (value, label) for value, label in OFFER_CHOICES if value in offers
        ]


class RequestReplyForm(forms.Form):
    reply = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, **bounded("your reply", DESCRIPTION)
    )


class EndAgreementForm(forms.Form):
    ends_on = GovukDateField(
        label="Last day", subject="the last day", help_text="Give the notice you agreed. For example, 30 6 2027"
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, **bounded("the reason", DESCRIPTION)
    )


class CheckInForm(forms.Form):
    """Our own three questions, one per function of supervision (Proctor)."""

    normative = forms.TypedChoiceField(
        coerce=int,
        choices=CHECK_IN_SCALE,
        widget=forms.RadioSelect,
        label="Has supervision helped you judge what is safe and what to do when worried?",
    )
    formative = forms.TypedChoiceField(
        coerce=int,
        choices=CHECK_IN_SCALE,
        widget=forms.RadioSelect,
        label="Has it helped you learn about the people you support and ways of working with them?",
    )
    restorative = forms.TypedChoiceField(
        coerce=int,
        choices=CHECK_IN_SCALE,
        widget=forms.RadioSelect,
        label="Has it helped you feel supported in your work?",
    )
