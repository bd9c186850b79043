"""The dashboard's learning-sessions section: attendees' answers per topic, every count of people
through the one disclosure rule, on the page and in the CSV, and never a name."""

from __future__ import annotations

import csv
import datetime
import io

from learning.session_models import FeedbackTally
from tests.factories.core import give_two_factor
from tests.learning.sessions_helpers import publish, topic


def _answers(world, topics, dates, counts: dict[str, int]):
    group = publish(world, topics, dates=dates)
    session = group.sessions.get()
    for answer, count in counts.items():
        FeedbackTally.objects.create(session=session, answer=answer, count=count)
    return session


def test_answers_by_topic_are_disclosed_by_the_one_rule_in_page_and_csv(client, world):
    psychosis, trauma = topic("psychosis"), topic("trauma-informed-practice")
    _answers(world, [psychosis], [datetime.date(2026, 12, 9)], {"yes": 9, "partly": 3})
    _answers(world, [psychosis, trauma], [datetime.date(2026, 12, 16)], {"yes": 3, "no": 1})
    give_two_factor(world.commissioner)
    client.force_login(world.commissioner)
    response = client.get(f"/pools/{world.pool.pk}/dashboard/learning-feedback.csv?from=2026-12&to=2026-12")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows == [
        ["Topic", "Said it met their need", "Said it partly did", "Said it did not"],
        ["Psychosis", "10", "*", "*"],  # 12 yes (shown rounded), 3 partly, 1 no
        ["Trauma-informed practice", "*", "0", "*"],  # 3 yes, 1 no
    ]
    page = client.get(f"/pools/{world.pool.pk}/dashboard/?from=2026-12&to=2026-12").content.decode()
    assert "Learning sessions: did they meet the need?" in page
    assert world.member.first_name not in page
    # Another month: nothing to show.
    response = client.get(f"/pools/{world.pool.pk}/dashboard/learning-feedback.csv?from=2027-01&to=2027-01")
    assert len(list(csv.reader(io.StringIO(response.getvalue().decode())))) == 1


def test_another_pools_commissioner_sees_none_of_it(client, world):
    _answers(world, [topic("psychosis")], [datetime.date(2026, 12, 9)], {"yes": 9})
    give_two_factor(world.other_commissioner)
    client.force_login(world.other_commissioner)
    assert client.get(f"/pools/{world.pool.pk}/dashboard/learning-feedback.csv").status_code == 404
    response = client.get(f"/pools/{world.other_pool.pk}/dashboard/learning-feedback.csv?from=2026-12&to=2026-12")
    assert len(list(csv.reader(io.StringIO(response.getvalue().decode())))) == 1
