"""Interval algebra on half-open spans ``[start, end)``, in the spirit of pretalx's availability.

A *span* is a ``(start, end)`` pair with ``start < end``; a *span list* is sorted and disjoint
(``normalise`` makes one). The functions work on spans of aware datetimes and, unchanged, on
spans of integers — the slot engine uses whole minutes since the epoch for speed.

Half-open means two spans that merely touch (``[9, 10)`` and ``[10, 11)``) do not overlap, so a
session ending at 10:00 and one starting at 10:00 never collide; ``union`` still joins them into
one span, because together they cover ``[9, 11)`` without a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

T = TypeVar("T", int, datetime)
Span = tuple[T, T]


@dataclass(frozen=True, slots=True)
class Interval:
    """A half-open stretch of time ``[start, end)`` between two aware datetimes."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("An interval needs time-zone-aware datetimes.")
        if not self.start < self.end:
            raise ValueError(f"An interval must end after it starts ({self.start} … {self.end}).")

    @property
    def span(self) -> tuple[datetime, datetime]:
        return (self.start, self.end)

    def overlaps(self, other: Interval) -> bool:
        return overlaps(self.span, other.span)


def overlaps(a: Span[T], b: Span[T]) -> bool:
    """True when the two spans share at least one instant (touching is not overlapping)."""
    return a[0] < b[1] and b[0] < a[1]


def normalise(spans: Iterable[Span[T]]) -> list[Span[T]]:
    """The union of ``spans`` as a sorted list of disjoint spans (touching spans are joined).

    Empty or inverted spans are dropped rather than rejected, so callers may clip freely.
    """
    ordered = sorted(span for span in spans if span[0] < span[1])
    merged: list[Span[T]] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def union(*span_lists: Iterable[Span[T]]) -> list[Span[T]]:
    """Everything covered by any of the span lists, normalised."""
    return normalise(span for spans in span_lists for span in spans)


def intersection(a: Sequence[Span[T]], b: Sequence[Span[T]]) -> list[Span[T]]:
    """What both normalised span lists cover: a linear two-pointer walk."""
    result: list[Span[T]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        # Whichever span ends first cannot meet anything further along the other list.
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return result


def subtract(a: Sequence[Span[T]], b: Sequence[Span[T]]) -> list[Span[T]]:
    """What the normalised list ``a`` covers and the normalised list ``b`` does not."""
    result: list[Span[T]] = []
    j = 0
    for start, end in a:
        # Spans of b that end before this span starts cannot cut it, nor any later span of a.
        while j < len(b) and b[j][1] <= start:
            j += 1
        k = j
        while k < len(b) and b[k][0] < end:
            if b[k][0] > start:
                result.append((start, b[k][0]))
            start = max(start, b[k][1])
            k += 1
        if start < end:
            result.append((start, end))
    return result


def contains(spans: Sequence[Span[T]], inner: Span[T]) -> bool:
    """True when one span of the normalised list covers all of ``inner``."""
    return any(start <= inner[0] and inner[1] <= end for start, end in spans)
