"""The measure bank and scoring, against the published ProQOL 5 scoring (the self-score sheet
that comes with the measure): reverse items 1, 4, 15, 17 and 29 (1 counts 5, 2 counts 4, 3
counts 3, 4 counts 2, 5 counts 1), each subscale the sum of its ten items, and the cut-offs
"22 or less" low, "between 23 and 41" moderate, "42 or more" high."""

from __future__ import annotations

import dataclasses

import pytest

from outcomes.bank import all_measures, current_measure, enabled_measures, is_enabled
from outcomes.scoring import AnswersIncomplete, item_value, score_answers

PROQOL = current_measure("proqol-5")


def test_the_proqol_file_has_the_published_structure() -> None:
    assert len(PROQOL.items) == 30
    assert [p.label for p in PROQOL.scale] == ["Never", "Rarely", "Sometimes", "Often", "Very Often"]
    assert {item.number for item in PROQOL.items if item.reverse} == {1, 4, 15, 17, 29}
    assert PROQOL.subscale("compassion_satisfaction").items == (3, 6, 12, 16, 18, 20, 22, 24, 27, 30)
    assert PROQOL.subscale("burnout").items == (1, 4, 8, 10, 15, 17, 19, 21, 26, 29)
    assert PROQOL.subscale("secondary_traumatic_stress").items == (2, 5, 7, 9, 11, 13, 14, 23, 25, 28)
    # Unaltered, as its terms require: spot checks of the wording, brackets and all.
    assert PROQOL.items[0].text == "I am happy."
    assert PROQOL.items[20].text == "I feel overwhelmed because my case [work] load seems endless."
    assert PROQOL.items[20].shown_text == "I feel overwhelmed because my case work load seems endless."
    assert PROQOL.items[27].text == "I can't recall important parts of my work with trauma victims."
    assert "(a) author is credited, (b) no changes are made, and (c) it is not sold" in PROQOL.licence.attribution
    assert PROQOL.licence.may_be_changed is False


def test_the_reverse_key() -> None:
    assert [item_value(PROQOL, 1, answer) for answer in (1, 2, 3, 4, 5)] == [5, 4, 3, 2, 1]
    assert [item_value(PROQOL, 2, answer) for answer in (1, 2, 3, 4, 5)] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # All "Never": satisfaction and trauma 10; burnout's five reverse items count 5 each.
        (
            1,
            {
                "compassion_satisfaction": (10, "Low"),
                "burnout": (30, "Moderate"),
                "secondary_traumatic_stress": (10, "Low"),
            },
        ),
        (
            3,
            {
                "compassion_satisfaction": (30, "Moderate"),
                "burnout": (30, "Moderate"),
                "secondary_traumatic_stress": (30, "Moderate"),
            },
        ),
        (
            5,
            {
                "compassion_satisfaction": (50, "High"),
                "burnout": (30, "Moderate"),
                "secondary_traumatic_stress": (50, "High"),
            },
        ),
    ],
)
def test_subscale_sums_with_reverse_items(answer, expected) -> None:
    scores = score_answers(PROQOL, {n: answer for n in range(1, 31)})
    assert {key: (s.score, s.band.label) for key, s in scores.items()} == expected


def test_a_worked_example_with_every_kind_of_item() -> None:
    answers = {n: 3 for n in range(1, 31)}
    answers |= {3: 4, 6: 4, 12: 4, 16: 4, 18: 4, 20: 4, 22: 4}  # satisfaction 7 × 4 + 3 × 3 = 37
    answers |= {n: 2 for n in (8, 10, 19, 21, 26)}  # burnout's plain items: 5 × 2 = 10
    answers |= {1: 5, 4: 5, 15: 5, 17: 5, 29: 1}  # reversed: 1 + 1 + 1 + 1 + 5 = 9
    answers |= {n: 4 for n in (2, 5, 7, 9, 11, 13, 14, 23, 25)} | {28: 5}  # trauma 9 × 4 + 5 = 41
    scores = score_answers(PROQOL, answers)
    assert {key: (s.score, s.band.label) for key, s in scores.items()} == {
        "compassion_satisfaction": (37, "Moderate"),
        "burnout": (19, "Low"),
        "secondary_traumatic_stress": (41, "Moderate"),
    }


@pytest.mark.parametrize(
    ("score", "band"), [(10, "Low"), (22, "Low"), (23, "Moderate"), (41, "Moderate"), (42, "High"), (50, "High")]
)
def test_the_published_cut_offs(score, band) -> None:
    # Satisfaction items are plain: a score of N from answers summing to N.
    items = PROQOL.subscale("compassion_satisfaction").items
    values = [1] * 10
    for index in range(score - 10):
        values[index % 10] += 1
    answers = {n: 3 for n in range(1, 31)} | dict(zip(items, values, strict=True))
    assert score_answers(PROQOL, answers)["compassion_satisfaction"].band.label == band


def test_an_unanswered_or_off_scale_item_is_refused() -> None:
    with pytest.raises(AnswersIncomplete):
        score_answers(PROQOL, {n: 3 for n in range(1, 30)})
    with pytest.raises(AnswersIncomplete):
        score_answers(PROQOL, {n: 3 for n in range(1, 31)} | {7: 6})


def test_the_proctor_check_in_is_a_measure_too() -> None:
    proctor = current_measure("proctor-check-in")
    scores = score_answers(proctor, {1: 4, 2: 2, 3: 3})
    assert {key: (s.score, s.band.label) for key, s in scores.items()} == {
        "normative": (4, "Helping"),
        "formative": (2, "Less than hoped"),
        "restorative": (3, "Helping"),
    }
    assert proctor.licence.may_be_changed is True


def test_a_measure_that_needs_registration_is_off_until_confirmed(settings) -> None:
    licensed = dataclasses.replace(
        PROQOL, slug="registered", licence=dataclasses.replace(PROQOL.licence, requires_licence_confirmation=True)
    )
    settings.OUTCOME_LICENCES_CONFIRMED = []
    assert not is_enabled(licensed)
    settings.OUTCOME_LICENCES_CONFIRMED = ["registered"]
    assert is_enabled(licensed)
    # The shipped measures are free to use.
    assert {m.slug for m in enabled_measures()} == {"proqol-5", "proctor-check-in"}
    assert set(all_measures()) == {("proqol-5", 1), ("proctor-check-in", 1), ("swemwbs", 1)}


SWEMWBS = current_measure("swemwbs")


def test_swemwbs_is_off_until_the_operator_confirms_its_licence(settings) -> None:
    assert SWEMWBS.licence.requires_licence_confirmation and not SWEMWBS.licence.may_be_changed
    settings.OUTCOME_LICENCES_CONFIRMED = []
    assert "swemwbs" not in {m.slug for m in enabled_measures()}
    settings.OUTCOME_LICENCES_CONFIRMED = ["swemwbs"]
    assert "swemwbs" in {m.slug for m in enabled_measures()}
    assert SWEMWBS.items[0].text == "I've been feeling optimistic about the future"
    assert len(SWEMWBS.items) == 7
    assert SWEMWBS.licence.attribution.startswith("Short Warwick Edinburgh Mental Wellbeing Scale (SWEMWBS) ©")


@pytest.mark.parametrize(
    ("answers", "raw", "metric"),
    [
        ([1] * 7, 7, 7.00),
        ([2] * 7, 14, 15.32),
        ([3] * 7, 21, 19.25),
        ([4, 4, 4, 3, 3, 4, 3], 25, 22.35),
        ([5] * 7, 35, 35.00),
    ],
)
def test_swemwbs_sums_are_converted_by_the_published_table(answers, raw, metric) -> None:
    score = score_answers(SWEMWBS, dict(enumerate(answers, start=1)))["wellbeing"]
    assert (score.raw, score.score) == (raw, metric)
