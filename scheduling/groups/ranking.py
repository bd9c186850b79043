"""Ranking reflective groups for one person: pure, over plain data (issue 7).

Order, most important first:
  1. times that suit: the group starts no earlier than the person's "no sessions before"
     contact preference (the report's advice for people with insomnia);
  2. delivery mode: the group meets the way the person asked (online, in person, or either);
  3. places left in its next session, more first (a full one last, with its waitlist);
  4. that session's date, sooner first; then the title.
Each group comes with the reasons, in plain words, so the person sees why it is where it is.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass

from reflect import wording


class Mode(enum.StrEnum):
    EITHER = "either"
    ONLINE = "online"
    IN_PERSON = "in_person"


@dataclass(frozen=True)
class GroupOption:
    group_id: int
    title: str
    local_start: datetime.time
    online: bool
    in_person: bool
    next_session_id: int
    next_starts_at: datetime.datetime
    places_left: int


@dataclass(frozen=True)
class RankedGroup:
    option: GroupOption
    suits_time: bool
    suits_mode: bool
    reasons: tuple[str, ...]


def _time_reason(option: GroupOption, no_sessions_before: datetime.time | None) -> tuple[bool, str]:
    start = wording.clock(option.local_start)
    if no_sessions_before is None:
        return True, f"starts at {start}"
    limit = wording.clock(no_sessions_before)
    if option.local_start >= no_sessions_before:
        return True, f"starts at {start}, not before {limit} as you asked"
    return False, f"starts at {start}, earlier than your {limit}"


def _mode_reason(option: GroupOption, mode: Mode) -> tuple[bool, str]:
    how = " or ".join(word for word, offered in (("online", option.online), ("in person", option.in_person)) if offered)
    how = how or "at a place to be confirmed"
    if mode == Mode.ONLINE:
        return option.online, f"meets {how}" + (", as you asked" if option.online else ", not online")
    if mode == Mode.IN_PERSON:
        return option.in_person, f"meets {how}" + (", as you asked" if option.in_person else ", not in person")
    return True, f"meets {how}"


def rank_groups(
    options: list[GroupOption], *, no_sessions_before: datetime.time | None, mode: Mode = Mode.EITHER
) -> list[RankedGroup]:
    ranked = []
    for option in options:
        suits_time, time_reason = _time_reason(option, no_sessions_before)
        suits_mode, mode_reason = _mode_reason(option, mode)
        places = (
            f"{wording.count(option.places_left, 'place')} left in the next session"
            if option.places_left
            # What the person can do (join its waitlist, take a place held for them) is the
            # row's own action, which knows where they stand; the reason says only why.
            else "the next session is full"
        )
        ranked.append(
            RankedGroup(
                option=option, suits_time=suits_time, suits_mode=suits_mode, reasons=(time_reason, mode_reason, places)
            )
        )
    ranked.sort(
        key=lambda r: (
            not r.suits_time,
            not r.suits_mode,
            -r.option.places_left,
            r.option.next_starts_at,
            r.option.title,
            r.option.group_id,
        )
    )
    return ranked
