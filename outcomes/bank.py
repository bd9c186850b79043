"""The measure bank: each measure is a versioned file, ``outcomes/measures/<slug>-v<N>.json``,
holding its items, response scale, reverse items, subscales, bands, licence and attribution
(docs/outcomes.md). A new version is a new file; answers keep the version they were given
under, so a score is always read with the bank it was scored by.

A measure whose licence asks the operator to register first carries
``requires_licence_confirmation``; it is offered only once this deployment lists its slug in the
setting ``OUTCOME_LICENCES_CONFIRMED`` (off by default).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

MEASURES_DIR = Path(__file__).resolve().parent / "measures"
_FILE = re.compile(r"^(?P<slug>[a-z0-9-]+)-v(?P<version>\d+)\.json$")
# The words a measure's terms let us bracket for a group of workers: shown as written.
_BRACKETED = re.compile(r"\[([^\]]+)\]")


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    reverse: bool = False

    @property
    def shown_text(self) -> str:
        """The item as a person reads it: the bracketed words are the measure's own default
        words, shown without their brackets (no word is changed)."""
        return _BRACKETED.sub(r"\1", self.text)


@dataclass(frozen=True)
class Band:
    up_to: float  # the highest score in the band
    label: str
    meaning: str


@dataclass(frozen=True)
class Subscale:
    key: str
    title: str
    about: str
    items: tuple[int, ...]
    higher_is_better: bool
    bands: tuple[Band, ...]
    # A measure scored on a published scale of its own (SWEMWBS's metric score): the score for
    # each raw sum, from the lowest sum up. None: the score is the raw sum.
    conversion: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Licence:
    attribution: str
    terms: str
    may_be_changed: bool
    requires_licence_confirmation: bool


@dataclass(frozen=True)
class Measure:
    slug: str
    version: int
    title: str
    short_title: str
    about: str
    instructions: str
    scale: tuple[ScalePoint, ...]
    items: tuple[Item, ...]
    subscales: tuple[Subscale, ...]
    licence: Licence

    @property
    def lowest(self) -> int:
        return min(point.value for point in self.scale)

    @property
    def highest(self) -> int:
        return max(point.value for point in self.scale)

    @property
    def shown_instructions(self) -> str:
        return _BRACKETED.sub(r"\1", self.instructions)

    def subscale(self, key: str) -> Subscale:
        return next(s for s in self.subscales if s.key == key)


def _measure(data: dict[str, object]) -> Measure:
    raw = json.loads(json.dumps(data))  # a plain copy, typed as JSON
    measure = Measure(
        slug=raw["slug"],
        version=int(raw["version"]),
        title=raw["title"],
        short_title=raw["short_title"],
        about=raw["about"],
        instructions=raw["instructions"],
        scale=tuple(ScalePoint(int(p["value"]), p["label"]) for p in raw["scale"]),
        items=tuple(Item(int(i["number"]), i["text"], bool(i.get("reverse", False))) for i in raw["items"]),
        subscales=tuple(
            Subscale(
                key=s["key"],
                title=s["title"],
                about=s["about"],
                items=tuple(int(n) for n in s["items"]),
                higher_is_better=bool(s["higher_is_better"]),
                bands=tuple(Band(float(b["up_to"]), b["label"], b["meaning"]) for b in s["bands"]),
                conversion=tuple(float(x) for x in s["conversion"]) if "conversion" in s else None,
            )
            for s in raw["subscales"]
        ),
        licence=Licence(
            attribution=raw["licence"]["attribution"],
            terms=raw["licence"]["terms"],
            may_be_changed=bool(raw["licence"]["may_be_changed"]),
            requires_licence_confirmation=bool(raw["licence"]["requires_licence_confirmation"]),
        ),
    )
    check_measure(measure)
    return measure


def check_measure(measure: Measure) -> None:
    """A file that does not add up is refused when it is loaded, not when someone answers it."""
    numbers = [item.number for item in measure.items]
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise ValueError(f"{measure.slug}: items must be numbered 1 to {len(numbers)}.")
    for subscale in measure.subscales:
        if not set(subscale.items) <= set(numbers):
            raise ValueError(f"{measure.slug}: subscale {subscale.key} names an item that does not exist.")
        sums = range(len(subscale.items) * measure.lowest, len(subscale.items) * measure.highest + 1)
        if subscale.conversion is not None and len(subscale.conversion) != len(sums):
            raise ValueError(f"{measure.slug}: the conversion of {subscale.key} needs a score for each sum.")
        most = subscale.conversion[-1] if subscale.conversion is not None else sums[-1]
        if not subscale.bands or subscale.bands[-1].up_to != most:
            raise ValueError(f"{measure.slug}: the bands of {subscale.key} must end at its highest score, {most}.")


@cache
def all_measures() -> dict[tuple[str, int], Measure]:
    """Every measure file, by (slug, version)."""
    measures: dict[tuple[str, int], Measure] = {}
    for path in sorted(MEASURES_DIR.glob("*.json")):
        match = _FILE.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: a measure file is named <slug>-v<N>.json.")
        measure = _measure(json.loads(path.read_text(encoding="utf-8")))
        if (measure.slug, measure.version) != (match["slug"], int(match["version"])):
            raise ValueError(f"{path.name}: its slug and version differ from its name.")
        measures[(measure.slug, measure.version)] = measure
    return measures


def measure_version(slug: str, version: int) -> Measure:
    return all_measures()[(slug, version)]


def current_measure(slug: str) -> Measure:
    """The latest version of a measure."""
    versions = [m for (s, _), m in all_measures().items() if s == slug]
    if not versions:
        raise LookupError(f"No measure {slug!r} in the bank.")
    return max(versions, key=lambda m: m.version)


def is_enabled(measure: Measure, confirmed: list[str] | None = None) -> bool:
    """Free measures always; one that needs the operator's registration only once confirmed."""
    if not measure.licence.requires_licence_confirmation:
        return True
    confirmed = settings.OUTCOME_LICENCES_CONFIRMED if confirmed is None else confirmed
    return measure.slug in confirmed


def unlicensed_slugs() -> list[str]:
    """Measures this deployment may not ask now (their licence not confirmed): an invitation to
    one, made while it was confirmed, can no longer be answered."""
    slugs = sorted({slug for slug, _ in all_measures()})
    return [slug for slug in slugs if not is_enabled(current_measure(slug))]


def enabled_measures() -> list[Measure]:
    """The latest version of each measure this deployment may ask, by title."""
    slugs = sorted({slug for slug, _ in all_measures()})
    return sorted((m for m in (current_measure(slug) for slug in slugs) if is_enabled(m)), key=lambda m: m.short_title)
