"""The catalogue of learning topics as data (docs/learning.md): ``learning/topics/catalogue-v<N>.json``,
each version a file of its own, loaded into ``LearningTopic`` by that version's migration.

The files also say which presentations of the needs questionnaire (its question keys, section
"What staff meet") make a topic worth suggesting: the questionnaire's result asks for them
through the core's registry (reflect/learning.py), so supervision never imports this app.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TOPICS_DIR = Path(__file__).resolve().parent / "topics"
_FILE = re.compile(r"^catalogue-v(?P<version>\d+)\.json$")
KINDS = ("topic", "presentation")


@dataclass(frozen=True)
class CatalogueTopic:
    slug: str
    kind: str
    title: str
    description: str
    from_presentations: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    version: int
    topics: tuple[CatalogueTopic, ...]


def check_catalogue(catalogue: Catalogue) -> None:
    """A file that does not add up is refused when it is loaded, not when someone reads it."""
    slugs = [topic.slug for topic in catalogue.topics]
    if len(slugs) != len(set(slugs)):
        raise ValueError(f"catalogue v{catalogue.version}: two topics share a slug.")
    for topic in catalogue.topics:
        if topic.kind not in KINDS:
            raise ValueError(f"catalogue v{catalogue.version}: {topic.slug} has an unknown kind {topic.kind!r}.")
        if not topic.title or len(topic.title) > 120 or len(topic.description) > 300:
            raise ValueError(f"catalogue v{catalogue.version}: {topic.slug}'s title or description is too long.")


def _catalogue(data: dict[str, object]) -> Catalogue:
    raw = json.loads(json.dumps(data))
    catalogue = Catalogue(
        version=int(raw["version"]),
        topics=tuple(
            CatalogueTopic(
                slug=t["slug"],
                kind=t["kind"],
                title=t["title"],
                description=t["description"],
                from_presentations=tuple(t.get("from_presentations", ())),
            )
            for t in raw["topics"]
        ),
    )
    check_catalogue(catalogue)
    return catalogue


@cache
def all_catalogues() -> dict[int, Catalogue]:
    catalogues: dict[int, Catalogue] = {}
    for path in sorted(TOPICS_DIR.glob("*.json")):
        match = _FILE.match(path.name)
        if match is None:
            raise ValueError(f"{path.name}: a catalogue file is named catalogue-v<N>.json.")
        catalogue = _catalogue(json.loads(path.read_text(encoding="utf-8")))
        if catalogue.version != int(match["version"]):
            raise ValueError(f"{path.name}: its version differs from its name.")
        catalogues[catalogue.version] = catalogue
    return catalogues


def current_catalogue() -> Catalogue:
    catalogues = all_catalogues()
    return catalogues[max(catalogues)]


def topics_for_presentations(question_keys: Iterable[str]) -> list[CatalogueTopic]:
    """The current catalogue's topics worth suggesting to an organisation that meets these
    presentations (the questionnaire's keys), in the catalogue's order: training topics first,
    then the presentations themselves."""
    keys = set(question_keys)
    chosen = [topic for topic in current_catalogue().topics if keys & set(topic.from_presentations)]
    return sorted(chosen, key=lambda topic: KINDS.index(topic.kind))
