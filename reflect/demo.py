"""Hooks for ``seed_demo``: later features add their demo data as steps, in app order."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

DEMO_PASSWORD = "reflect-demo-2026"

DemoStep = Callable[[TextIO], None]
_steps: list[DemoStep] = []


def register_demo_step(step: DemoStep) -> DemoStep:
    if step not in _steps:
        _steps.append(step)
    return step


def demo_steps() -> list[DemoStep]:
    return list(_steps)
