"""Scoring a measure: a pure function of the measure's file and one person's answers
(docs/outcomes.md). A reverse item counts lowest + highest − answer (on ProQOL's 1 to 5 scale:
1 counts 5, 2 counts 4, 3 counts 3, 4 counts 2, 5 counts 1); a subscale is the sum of its items;
its band is the first whose upper bound the sum does not pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from outcomes.bank import Band, Measure, Subscale


class AnswersIncomplete(ValueError):
    """Some item has no answer, or an answer off the scale."""


@dataclass(frozen=True)
class SubscaleScore:
    key: str
    raw: int  # the sum of the items
    score: float  # the raw sum, or its converted score
    band: Band


def item_value(measure: Measure, number: int, answer: int) -> int:
    """What one answer counts for, reversed when the item is a reverse item."""
    item = measure.items[number - 1]
    return measure.lowest + measure.highest - answer if item.reverse else answer


def band_of(subscale: Subscale, score: float) -> Band:
    return next(band for band in subscale.bands if score <= band.up_to)


def score_answers(measure: Measure, answers: Mapping[int, int]) -> dict[str, SubscaleScore]:
    """Every subscale's score and band. Every item must be answered on the measure's scale."""
    allowed = {point.value for point in measure.scale}
    missing = [item.number for item in measure.items if answers.get(item.number) not in allowed]
    if missing:
        raise AnswersIncomplete(f"Items without an answer on the scale: {missing}")
    scores: dict[str, SubscaleScore] = {}
    for subscale in measure.subscales:
        raw = sum(item_value(measure, n, answers[n]) for n in subscale.items)
        score: float = raw
        if subscale.conversion is not None:
            score = subscale.conversion[raw - len(subscale.items) * measure.lowest]
        scores[subscale.key] = SubscaleScore(subscale.key, raw, score, band_of(subscale, score))
    return scores
