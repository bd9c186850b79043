"""The questions and their answers, as data: the Office for National Statistics' Census 2021
categories for England and Wales (docs/equality.md names each source). Pure: no database.

Each answer is stored by its short code; the words are what the person reads and what the
commissioner's tables show. Every question also has "Prefer not to say", and a question left
blank is "Not answered": both are rows of the commissioner's tables, so that their counts make
the rows add up to the whole (docs/equality.md, on secondary suppression).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PREFER_NOT_TO_SAY: Final = "prefer_not"
NOT_ANSWERED: Final = ""
PREFER_NOT_TO_SAY_LABEL: Final = "Prefer not to say"
NOT_ANSWERED_LABEL: Final = "Not answered"


@dataclass(frozen=True)
class Answer:
    code: str
    label: str
    heading: str = ""  # the high-level group an answer sits under (ethnic group only)


@dataclass(frozen=True)
class Category:
    key: str  # the field's name
    title: str  # the commissioner's table
    question: str  # what the person is asked
    hint: str
    answers: tuple[Answer, ...]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(a.code, a.label) for a in self.answers] + [(PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL)]

    def label_of(self, code: str) -> str:
        if code == NOT_ANSWERED:
            return NOT_ANSWERED_LABEL
        return dict(self.choices).get(code, NOT_ANSWERED_LABEL)

    @property
    def rows(self) -> list[tuple[str, str]]:
        """Every row of the commissioner's table, in order: each answer, then "Prefer not to
        say", then "Not answered"."""
        return [*self.choices, (NOT_ANSWERED, NOT_ANSWERED_LABEL)]


def _answers(*pairs: tuple[str, str], heading: str = "") -> tuple[Answer, ...]:
    return tuple(Answer(code, label, heading) for code, label in pairs)


ASIAN = "Asian, Asian British or Asian Welsh"
BLACK = "Black, Black British, Black Welsh, Caribbean or African"
MIXED = "Mixed or Multiple ethnic groups"
WHITE = "White"
OTHER = "Other ethnic group"

CATEGORIES: Final[tuple[Category, ...]] = (
    Category(
        "age_band",
        "Age",
        "What is your age?",
        "In the age bands the Census 2021 results use.",
        _answers(
            ("16_24", "16 to 24"),
            ("25_34", "25 to 34"),
            ("35_49", "35 to 49"),
            ("50_64", "50 to 64"),
            ("65_over", "65 and over"),
        ),
    ),
    Category(
        "sex",
        "Sex",
        "What is your sex?",
        "A question about gender identity follows.",
        _answers(("female", "Female"), ("male", "Male")),
    ),
    Category(
        "gender_identity",
        "Gender identity",
        "Is the gender you identify with the same as your sex registered at birth?",
        "",
        _answers(("same", "Yes"), ("different", "No")),
    ),
    Category(
        "sexual_orientation",
        "Sexual orientation",
        "Which of the following best describes your sexual orientation?",
        "",
        _answers(
            ("straight", "Straight or Heterosexual"),
            ("gay_lesbian", "Gay or Lesbian"),
            ("bisexual", "Bisexual"),
            ("other", "Other sexual orientation"),
        ),
    ),
    Category(
        "ethnic_group",
        "Ethnic group",
        "What is your ethnic group?",
        "Choose the one that best describes your ethnic group or background.",
        _answers(
            ("asian_bangladeshi", "Bangladeshi"),
            ("asian_chinese", "Chinese"),
            ("asian_indian", "Indian"),
            ("asian_pakistani", "Pakistani"),
            ("asian_other", "Any other Asian background"),
            heading=ASIAN,
        )
        + _answers(
            ("black_african", "African"),
            ("black_caribbean", "Caribbean"),
            ("black_other", "Any other Black, Black British, or Caribbean background"),
            heading=BLACK,
        )
        + _answers(
            ("mixed_white_asian", "White and Asian"),
            ("mixed_white_black_african", "White and Black African"),
            ("mixed_white_black_caribbean", "White and Black Caribbean"),
            ("mixed_other", "Any other Mixed or Multiple ethnic background"),
            heading=MIXED,
        )
        + _answers(
            ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
            ("white_irish", "Irish"),
            ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
            ("white_roma", "Roma"),
            ("white_other", "Any other White background"),
            heading=WHITE,
        )
        + _answers(("other_arab", "Arab"), ("other_any", "Any other ethnic group"), heading=OTHER),
    ),
    Category(
        "disability",
        "Disability",
        "Do you have any physical or mental health conditions or illnesses lasting or expected to last "
        "12 months or more, and do they reduce your ability to carry out day-to-day activities?",
        "The Equality Act 2010 counts you as disabled if they reduce it a little or a lot.",
        _answers(
            ("limited_lot", "Disabled under the Equality Act: day-to-day activities limited a lot"),
            ("limited_little", "Disabled under the Equality Act: day-to-day activities limited a little"),
            ("not_disabled", "Not disabled under the Equality Act"),
        ),
    ),
    Category(
        "religion",
        "Religion",
        "What is your religion?",
        "",
        _answers(
            ("none", "No religion"),
            (
                "christian",
                "Christian (including Church of England, Catholic, Protestant and all other Christian denominations)",
            ),
            ("buddhist", "Buddhist"),
            ("hindu", "Hindu"),
            ("jewish", "Jewish"),
            ("muslim", "Muslim"),
            ("sikh", "Sikh"),
            ("other", "Any other religion"),
        ),
    ),
)

BY_KEY: Final = {category.key: category for category in CATEGORIES}
