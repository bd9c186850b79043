"""The clinician brief: its content from the answers, and a one-page PDF for every profile."""

from __future__ import annotations

import datetime
import io

import pytest
from pypdf import PdfReader

from reflect.learning_topics import topics_for_presentations
from supervision.brief import build_brief, presentations_met
from supervision.models import QuestionBankVersion
from supervision.pdf import brief_pdf
from supervision.scoring import score
from supervision.services.bank import bank_data
from tests.supervision.conftest import PROFILES

pytestmark = pytest.mark.django_db


def _brief(key: str):
    bank = bank_data(QuestionBankVersion.objects.get(number=1))
    answers = PROFILES[key]["answers"]
    return build_brief(
        bank,
        answers,
        score(bank, answers),
        name=PROFILES[key]["name"],
        about="About text.",
        completed_on=datetime.date(2026, 11, 28),
        # As the pages give it: topics from the presentations met (reflect/learning_topics.py).
        training_topics=[t.title for t in topics_for_presentations(presentations_met(bank, answers))],
    )


def test_brief_lists_presentations_most_frequent_first_and_what_is_wanted():
    brief = _brief("substance-peer-recovery")
    sections = {s.heading: s.lines for s in brief.sections}
    assert sections["What staff meet"] == (
        "Most weeks: Emotional dysregulation, Substance misuse.",
        "Most months: Self-harm or suicidal distress.",
        "A few times a year: Psychosis.",
    )
    assert sections["What we are looking for"][0] == "Our result: Clinical supervision recommended."
    assert sections["What we are looking for"][1] == (
        "Clinical supervision: One-to-one clinical supervision for each person who does 1:1 work. "
        "1.5 h a month for each of 3 practitioners; 54 hours a year."
    )
    assert sections["What we are looking for"][-2] == (
        "Training our staff would value: Risk enablement, Suicide prevention, Alcohol and drugs brief advice, "
        "Emotional dysregulation, Psychosis, Substance misuse."
    )
    assert sections["What we are looking for"][-1] == (
        "What we most want from supervision: Help deciding what is safe, and what to do when worried, "
        "Learning about presentations and ways of working, Support for staff wellbeing."
    )
    assert brief.footer == "Question bank version 1; completed on Saturday 28 November 2026."


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_the_pdf_brief_is_one_page_for_every_profile(key):
    reader = PdfReader(io.BytesIO(brief_pdf(_brief(key))))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())  # lines wrap where they will
    assert f"Clinical supervision brief: {PROFILES[key]['name']}" in text
    assert "Question bank version 1; completed on Saturday 28 November 2026." in text
