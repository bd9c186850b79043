"""The pure scorer and the costing, on hand-made banks (no database)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from reflect import wording
from supervision.scoring import (
    CLINICAL_SUPERVISION_RECOMMENDED,
    CONSIDER_CASE_CONSULTATION,
    REFLECTIVE_PRACTICE_LIKELY_ENOUGH,
    BankData,
    CostingError,
    Format,
    QuestionData,
    RuleData,
    answer_in_words,
    cost,
    formats_for,
    missing_required,
    result_from_snapshot,
    score,
)

FREQ = (("never", "Never"), ("monthly", "Most months"), ("weekly", "Most weeks"))
BANK = BankData(
    version=7,
    questions=(
        QuestionData("psychosis", "Psychosis", "single", True, 1, FREQ),
        QuestionData("trauma", "Trauma disclosures", "single", True, 1, FREQ),
        QuestionData(
            "training", "Training", "multiple", True, 2, (("suicide", "Suicide prevention"), ("none", "None"))
        ),
        QuestionData("reflective", "Reflective practice", "yes_no", False, 2, (("yes", "Yes"), ("no", "No"))),
        QuestionData("practitioners_1to1", "How many do 1:1 work?", "number", True, 3),
        QuestionData("group_facilitators", "How many facilitate groups?", "number", True, 3),
    ),
    rules=(
        RuleData(
            "psychosis-weekly",
            "psychosis",
            "Staff meet psychosis most weeks.",
            option_value="weekly",
            fires_outcome=CLINICAL_SUPERVISION_RECOMMENDED,
            specialisms=("Psychosis",),
        ),
        RuleData(
            "psychosis-monthly",
            "psychosis",
            "Staff meet psychosis most months.",
            option_value="monthly",
            consultation_points=3,
            specialisms=("Psychosis",),
        ),
        RuleData(
            "trauma-weekly",
            "trauma",
            "Trauma most weeks.",
            option_value="weekly",
            clinical_points=3,
            specialisms=("Trauma",),
        ),
        RuleData("trauma-monthly", "trauma", "Trauma most months.", option_value="monthly", clinical_points=2),
        RuleData("no-training", "training", "No training.", option_value="none", consultation_points=1),
        RuleData("reflective", "reflective", "Reflective space already.", option_value="yes", clinical_points=-1),
        RuleData("many", "practitioners_1to1", "Many do 1:1 work.", min_number=Decimal("5"), clinical_points=2),
    ),
    clinical_threshold=5,
    consultation_threshold=3,
)


def answers(**overrides):
    base = {
        "psychosis": "never",
        "trauma": "never",
        "training": ["suicide"],
        "reflective": "no",
        "practitioners_1to1": 2,
        "group_facilitators": 0,
    }
    return {**base, **overrides}


def test_no_rule_fires_gives_reflective_practice_with_no_reasons():
    result = score(BANK, answers())
    assert result.outcome == REFLECTIVE_PRACTICE_LIKELY_ENOUGH
    assert result.reasons == ()
    assert result.specialisms == ()
    assert (result.clinical_points, result.consultation_points) == (0, 0)


def test_a_firing_rule_lifts_the_outcome_whatever_the_points():
    result = score(BANK, answers(psychosis="weekly"))
    assert result.outcome == CLINICAL_SUPERVISION_RECOMMENDED
    assert [r.key for r in result.reasons] == ["psychosis-weekly"]
    assert result.reasons[0].answer == "Psychosis — Most weeks"
    assert result.reasons[0].effect == "leads to “clinical supervision recommended” on its own"
    assert result.specialisms == ("Psychosis",)
    assert result.specialism_weights == (("Psychosis", 5),)  # deciding on its own weighs the clinical threshold


def test_points_reach_the_clinical_threshold_exactly():
    result = score(BANK, answers(trauma="weekly", practitioners_1to1=5))
    assert result.clinical_points == 5
    assert result.outcome == CLINICAL_SUPERVISION_RECOMMENDED
    assert [r.key for r in result.reasons] == ["trauma-weekly", "many"]


def test_one_point_short_of_clinical_is_consultation_and_reasons_are_exactly_the_fired_rules():
    result = score(BANK, answers(trauma="weekly", practitioners_1to1=5, reflective="yes"))
    assert (result.clinical_points, result.consultation_points) == (4, 0)
    assert result.outcome == CONSIDER_CASE_CONSULTATION
    assert [r.key for r in result.reasons] == ["trauma-weekly", "reflective", "many"]
    assert result.reasons[1].effect == "-1 towards clinical supervision"


def test_consultation_threshold_counts_both_kinds_of_points():
    assert score(BANK, answers(trauma="monthly")).outcome == REFLECTIVE_PRACTICE_LIKELY_ENOUGH
    result = score(BANK, answers(trauma="monthly", training=["none"]))
    assert (result.clinical_points, result.consultation_points) == (2, 1)
    assert result.outcome == CONSIDER_CASE_CONSULTATION


def test_number_rule_is_a_threshold_and_ignores_rubbish():
    assert [r.key for r in score(BANK, answers(practitioners_1to1=4)).reasons] == []
    assert [r.key for r in score(BANK, answers(practitioners_1to1="5")).reasons] == ["many"]
    assert [r.key for r in score(BANK, answers(practitioners_1to1="lots")).reasons] == []


def test_multiple_choice_rule_fires_on_any_chosen_option():
    result = score(BANK, answers(training=["suicide", "none"]))
    assert [r.key for r in result.reasons] == ["no-training"]
    assert result.reasons[0].answer == "Training — Suicide prevention, None"


def test_rule_naming_a_question_the_bank_lacks_never_fires():
    bank = BankData(
        version=1,
        questions=BANK.questions,
        rules=(RuleData("ghost", "ghost", "x", option_value="yes", clinical_points=9),),
    )
    assert score(bank, {"ghost": "yes"}).reasons == ()


def test_missing_required_names_unanswered_questions_in_order():
    missing = missing_required(BANK, {"psychosis": "never", "training": []})
    assert [q.key for q in missing] == ["trauma", "training", "practitioners_1to1", "group_facilitators"]
    assert [q.key for q in missing_required(BANK, {}, section=2)] == ["training"]
    assert answer_in_words(BANK.questions[2], {}) == "Not answered"


def test_clinical_formats_size_one_to_one_and_groups_of_up_to_six():
    formats = formats_for(CLINICAL_SUPERVISION_RECOMMENDED, {"practitioners_1to1": 2, "group_facilitators": 7})
    assert [(f.key, f.units, f.unit, f.hours_per_month, f.hours_per_year) for f in formats] == [
        ("one_to_one", 2, "practitioner", Decimal("1.5"), Decimal("36.0")),
        ("group", 2, "group", Decimal("2"), Decimal("48")),
    ]


def test_clinical_with_only_facilitators_is_group_supervision_only():
    formats = formats_for(CLINICAL_SUPERVISION_RECOMMENDED, {"practitioners_1to1": 0, "group_facilitators": 2})
    assert [(f.key, f.units) for f in formats] == [("group", 1)]
    assert "fewer than 3 facilitators" in formats[0].basis


@pytest.mark.parametrize("counts", [{"practitioners_1to1": 0, "group_facilitators": 0}, {}])
def test_clinical_with_nobody_counted_sizes_and_costs_nothing(counts):
    # 0 people doing 1:1 work is never costed as 1: a bid must agree with the answers.
    assert formats_for(CLINICAL_SUPERVISION_RECOMMENDED, counts) == []
    costing = cost(formats_for(CLINICAL_SUPERVISION_RECOMMENDED, counts), months=12, rate=60)
    assert (costing.lines, costing.hours, costing.total, costing.text, costing.row_count) == (
        (),
        Decimal("0"),
        Decimal("0"),
        "",
        0,
    )


def test_clinical_result_for_nobody_counted_keeps_its_outcome_and_reasons_but_no_hours():
    result = score(BANK, answers(psychosis="weekly", practitioners_1to1=0, group_facilitators=0))
    assert result.outcome == CLINICAL_SUPERVISION_RECOMMENDED
    assert [r.key for r in result.reasons] == ["psychosis-weekly"]
    assert (result.formats, result.hours_per_year, result.hours_per_year_text) == ((), Decimal("0"), "0")


@pytest.mark.parametrize(
    ("practitioners", "hours_a_year", "bid_line", "total"),
    [
        (
            1,
            Decimal("18.0"),
            "Clinical supervision: 1 practitioner × 1.5 h/month × 12 months × £60/h = £1,080",
            "1080.00",
        ),
        (
            3,
            Decimal("54.0"),
            "Clinical supervision: 3 practitioners × 1.5 h/month × 12 months × £60/h = £3,240",
            "3240.00",
        ),
    ],
)
def test_clinical_one_to_one_is_costed_for_each_practitioner_counted(practitioners, hours_a_year, bid_line, total):
    formats = formats_for(
        CLINICAL_SUPERVISION_RECOMMENDED, {"practitioners_1to1": practitioners, "group_facilitators": 0}
    )
    assert [(f.key, f.units, f.unit, f.hours_per_month, f.hours_per_year) for f in formats] == [
        ("one_to_one", practitioners, "practitioner", Decimal("1.5"), hours_a_year)
    ]
    costing = cost(formats, months=12, rate=60)
    assert (costing.text, costing.hours, costing.total) == (bid_line, hours_a_year, Decimal(total))


def test_consultation_and_reflective_formats():
    assert [(f.key, f.hours_per_year) for f in formats_for(CONSIDER_CASE_CONSULTATION, {})] == [
        ("consultation", Decimal("12"))
    ]
    assert [(f.key, f.hours_per_year) for f in formats_for(REFLECTIVE_PRACTICE_LIKELY_ENOUGH, {})] == [
        ("contingency", Decimal("6.0"))
    ]


def test_snapshot_round_trips_through_json():
    result = score(BANK, answers(psychosis="weekly", trauma="weekly", practitioners_1to1=3, group_facilitators=4))
    assert result.specialism_weights == (("Psychosis", 5), ("Trauma", 3))
    assert result_from_snapshot(json.loads(json.dumps(result.to_snapshot()))) == result


ONE_TO_ONE = Format("one_to_one", "Clinical supervision", "", 2, "practitioner", Decimal("1.5"), "")
GROUP = Format("group", "Group supervision", "", 1, "group", Decimal("2"), "")


def test_bid_line_matches_the_issue_example():
    costing = cost([ONE_TO_ONE], months=12, rate=60)
    assert costing.text == "Clinical supervision: 2 practitioners × 1.5 h/month × 12 months × £60/h = £2,160"
    assert (costing.hours, costing.total) == (Decimal("36.0"), Decimal("2160.00"))


def test_several_lines_get_a_total_and_pence_show_when_needed():
    costing = cost([ONE_TO_ONE, GROUP], months="6", rate="62.50")
    assert costing.text == (
        "Clinical supervision: 2 practitioners × 1.5 h/month × 6 months × £62.50/h = £1,125\n"
        "Group supervision: 1 group × 2 h/month × 6 months × £62.50/h = £750\n"
        "Total: £1,875 for 30 hours"
    )
    assert (
        cost([GROUP], months=1, rate="45.55").text
        == "Group supervision: 1 group × 2 h/month × 1 month × £45.55/h = £91.10"
    )


def test_a_training_line_from_our_own_budget_is_in_the_total():
    costing = cost([GROUP], months=12, rate=60, training_days="2", training_day_cost="600")
    assert costing.text == (
        "Group supervision: 1 group × 2 h/month × 12 months × £60/h = £1,440\n"
        "Training: 2 days × £600/day = £1,200 (from our own budget)\n"
        "Total: £2,640 for 24 hours"
    )
    assert (costing.hours, costing.total, costing.row_count) == (Decimal("24"), Decimal("2640.00"), 2)


def test_training_the_pool_supplies_is_shown_but_not_in_the_total():
    costing = cost([GROUP], months=12, rate=60, training_days=1, training_day_cost="612.50", training_from_pool=True)
    assert costing.text.splitlines()[1:] == [
        "Training: 1 day × £612.50/day = £612.50 (supplied by the pool, not in this bid's total)",
        "Total: £1,440 for 24 hours",
    ]
    assert cost([GROUP], months=12, rate=60, training_days="0", training_day_cost="nonsense").training is None


@pytest.mark.parametrize(
    ("days", "day_cost", "field", "message"),
    [
        ("1.5", 600, "training_days", "Enter training as a whole number of days, like 2, or 0 for none."),
        ("NaN", 600, "training_days", "Enter training as a whole number of days, like 2, or 0 for none."),
        (61, 600, "training_days", "Enter between 0 and 60 days of training."),
        (-1, 600, "training_days", "Enter between 0 and 60 days of training."),
        (2, "", "training_day_cost", "Enter what a day of training costs in pounds, like 600."),
        (2, "Infinity", "training_day_cost", "Enter what a day of training costs in pounds, like 600."),
        (2, 0, "training_day_cost", "Enter a cost a day above £0 and up to £5,000."),
        (2, "600.001", "training_day_cost", "Enter the cost a day in pounds and pence, like 612.50."),
    ],
)
def test_nonsense_training_is_refused_in_words(days, day_cost, field, message):
    with pytest.raises(CostingError) as refused:
        cost([GROUP], months=12, rate=60, training_days=days, training_day_cost=day_cost)
    assert (refused.value.field, refused.value.message) == (field, message)


@pytest.mark.parametrize(
    ("months", "rate", "field", "message"),
    [
        (0, 60, "months", "Enter a period between 1 and 60 months."),
        (61, 60, "months", "Enter a period between 1 and 60 months."),
        ("6.5", 60, "months", "Enter the period as a whole number of months, like 12."),
        ("a year", 60, "months", "Enter the period as a whole number of months, like 12."),
        ("sNaN", 60, "months", "Enter the period as a whole number of months, like 12."),
        ("NaN", 60, "months", "Enter the period as a whole number of months, like 12."),
        ("Infinity", 60, "months", "Enter the period as a whole number of months, like 12."),
        (12, "sNaN", "rate", "Enter the hourly rate in pounds, like 60."),
        (12, "-Infinity", "rate", "Enter the hourly rate in pounds, like 60."),
        (12, 0, "rate", "Enter an hourly rate above £0."),
        (12, "-5", "rate", "Enter an hourly rate above £0."),
        (12, "sixty", "rate", "Enter the hourly rate in pounds, like 60."),
        (12, "NaN", "rate", "Enter the hourly rate in pounds, like 60."),
        (12, "600", "rate", "£600 an hour is more than any clinician's rate we know of; enter up to £500."),
        (12, "60.125", "rate", "Enter the hourly rate in pounds and pence, like 62.50."),
    ],
)
def test_nonsense_periods_and_rates_are_refused_with_the_reason(months, rate, field, message):
    with pytest.raises(CostingError) as caught:
        cost([ONE_TO_ONE], months=months, rate=rate)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_money_in_bid_lines_reads_as_reflect_writes_money():
    assert [wording.money(Decimal(x)) for x in ["0", "1234567", "12.5", "0.05"]] == [
        "£0",
        "£1,234,567",
        "£12.50",
        "£0.05",
    ]
