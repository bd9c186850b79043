"""The form for a webhook endpoint."""

from __future__ import annotations

from django import forms

from reflect.events import EVENT_LABELS
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
        choices=[(kind.value, label) for kind, label in EVENT_LABELS.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event to send",
            "invalid_choice": "Choose events from the list",
        },
    )
