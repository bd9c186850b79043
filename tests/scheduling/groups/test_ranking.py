"""Groups ranked for a person, on plain data: times first, then mode, then places, with reasons."""

from __future__ import annotations

import datetime

from scheduling.groups.ranking import GroupOption, Mode, rank_groups

T = datetime.time


def option(group_id, title, start, *, online=False, in_person=True, places=3, day=10):
    return GroupOption(
        group_id=group_id,
        title=title,
        local_start=start,
        online=online,
        in_person=in_person,
        next_session_id=group_id * 10,
        next_starts_at=datetime.datetime(2026, 12, day, 12, tzinfo=datetime.UTC),
        places_left=places,
    )


MORNING = option(1, "Morning circle", T(9, 30), places=8)
AFTERNOON = option(2, "Afternoon group", T(14, 0), places=2)
ONLINE_EVENING = option(3, "Evening online", T(18, 0), online=True, in_person=False, places=5)


def titles(ranked):
    return [r.option.title for r in ranked]


def test_without_preferences_more_places_come_first():
    assert titles(rank_groups([AFTERNOON, ONLINE_EVENING, MORNING], no_sessions_before=None)) == [
        "Morning circle",
        "Evening online",
        "Afternoon group",
    ]


def test_times_that_suit_come_before_places_left_and_say_why():
    ranked = rank_groups([MORNING, AFTERNOON, ONLINE_EVENING], no_sessions_before=T(11, 0))
    assert titles(ranked) == ["Evening online", "Afternoon group", "Morning circle"]
    assert ranked[2].reasons == (
        "starts at 9:30am, earlier than your 11am",
        "meets in person",
        "8 places left in the next session",
    )
    assert ranked[1].reasons[0] == "starts at 2pm, not before 11am as you asked"


def test_the_chosen_mode_comes_next():
    ranked = rank_groups([MORNING, AFTERNOON, ONLINE_EVENING], no_sessions_before=T(11, 0), mode=Mode.IN_PERSON)
    assert titles(ranked) == ["Afternoon group", "Evening online", "Morning circle"]
    assert ranked[1].reasons[1] == "meets online, not in person"
    assert ranked[0].reasons[1] == "meets in person, as you asked"


def test_ties_go_to_the_sooner_session():
    later = option(4, "Later", T(14, 0), places=2, day=20)
    assert titles(rank_groups([later, AFTERNOON], no_sessions_before=None)) == ["Afternoon group", "Later"]
