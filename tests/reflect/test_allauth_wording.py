"""allauth's pages in sentence case, as GOV.UK writes titles and buttons ("Sign in", never
"Sign In"): our catalogue (locale/en_GB/LC_MESSAGES/django.po) gives allauth's title-case
strings in sentence case; the installed package is not edited and no template is copied."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en_GB" / "LC_MESSAGES"
ACRONYM = re.compile(r"^[A-Z]{2,}$")


def po_entries() -> dict[str, str]:
    """The catalogue's translations, keyed as the compiled file keys them (context\\x04id)."""
    entries: dict[str, str] = {}
    context = ""
    msgid = None
    for line in (CATALOGUE / "django.po").read_text().splitlines():
        if line.startswith("msgctxt "):
            context = ast.literal_eval(line[len("msgctxt ") :])
        elif line.startswith("msgid "):
            msgid = ast.literal_eval(line[len("msgid ") :])
        elif line.startswith("msgstr ") and msgid:
            key = f"{context}\x04{msgid}" if context else msgid
            entries[key] = ast.literal_eval(line[len("msgstr ") :])
            context, msgid = "", None
    return entries


def test_the_compiled_catalogue_is_the_one_written():
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    assert {key: value for key, value in catalogue.items() if key} == po_entries()


def test_every_translation_is_the_same_words_in_sentence_case():
    entries = po_entries()
    assert len(entries) == 81
    for key, sentence in entries.items():
        original = key.split("\x04")[-1]
        assert sentence.lower() == original.lower(), key
        later_words = re.split(r"[ -]", sentence)[1:]
        assert not [w for w in later_words if w[:1].isupper() and not ACRONYM.match(w)], sentence


@pytest.mark.django_db
def test_allauths_pages_say_sign_in_in_sentence_case(client):
    page = client.get(reverse("account_login")).content.decode()
    assert re.search(r"<title>\s*Sign in\s*– Reflect</title>", page)
    assert re.search(r'<h1 class="govuk-heading-l">\s*Sign in\s*</h1>', page)
    assert re.search(r'type="submit">\s*Sign in\s*</button>', page)
    assert "Sign In" not in page
    signup = client.get(reverse("account_signup")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Sign up\s*</h1>", signup)
    assert "Sign Up" not in signup
    reset = client.get(reverse("account_reset_password")).content.decode()
    assert re.search(r"<h1[^>]*>\s*Password reset\s*</h1>", reset)
