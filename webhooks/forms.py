"""The form for a webhook endpoint."""

from __future__ import annotations

from django import forms

from reflect.events import EVENT_LABELS, Audience, kinds_for
from reflect.text_limits import bounded
from webhooks.addresses import MAX_URL_LENGTH


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint address",
        help_text="An https:// address on the public internet, where your system listens for events.",
        **bounded("the endpoint address", MAX_URL_LENGTH),
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="What receives the events, so that you can tell endpoints apart.",
        required=False,
        **bounded("the description", 200),
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=[],  # the audience's kinds: __init__
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event to send",
            "invalid_choice": "Choose events from the list",
        },
    )

    def __init__(self, *args: object, audience: Audience, **kwargs: object) -> None:
        """Only the events the endpoint's audience may hear of are offered (a lead's endpoint is
        offered no reflective-group event: reflect.events.AUDIENCES)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["events"].choices = [(kind.value, EVENT_LABELS[kind]) for kind in kinds_for(audience)]  # type: ignore[attr-defined]
