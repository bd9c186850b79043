"""Needs questionnaire scorer: how fast the pure scorer and costing run on the shipped bank.

Builds version 1 of the bank from its data migration's literals (no database), then scores
the 14 documented profiles over and over."""

from __future__ import annotations

import importlib
import json
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from supervision.scoring import BankData

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shipped_bank() -> BankData:
    from supervision.scoring import BankData, QuestionData, RuleData

    data = importlib.import_module("supervision.migrations.0003_question_bank_v1")
    questions = []
    for position, section in enumerate(data.SECTIONS, start=1):
        for key, kind, required, text, _hint, _why, options in section["questions"]:
            questions.append(QuestionData(key, text, kind, required, position, tuple(options)))
    rules = tuple(
        RuleData(
            key=key,
            question_key=question,
            reason=reason,
            option_value=option,
            min_number=Decimal(minimum) if minimum else None,
            clinical_points=c,
            consultation_points=k,
            fires_outcome=fires,
            specialisms=tuple(s for s in specialisms.split(";") if s),
        )
        for key, question, option, minimum, c, k, fires, reason, specialisms in data.RULES
    )
    return BankData(
        version=1,
        questions=tuple(questions),
        rules=rules,
        sections=tuple((s["key"], s["title"]) for s in data.SECTIONS),
    )


def main() -> dict[str, tuple[float, str]]:
    from supervision.scoring import cost, score

    bank = shipped_bank()
    profiles = [p["answers"] for p in json.loads((ROOT / "docs" / "questionnaire-profiles.json").read_text())]
    rounds = 500
    started = time.perf_counter()
    for _ in range(rounds):
        for answers in profiles:
            cost(score(bank, answers).formats, months=12, rate=60)
    elapsed = time.perf_counter() - started
    per_result_ms = elapsed / (rounds * len(profiles)) * 1000
    figures = {"questionnaire score + cost per result": (round(per_result_ms, 4), "ms")}
    for name, (value, unit) in figures.items():
        print(f"{name}: {value} {unit}")
    return figures


if __name__ == "__main__":
    main()
