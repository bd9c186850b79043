"""Equality monitoring: the person's own answers (give, change, prefer not to say, do not ask
again), the commissioner's reach tables with exact figures, suppression and no differencing,
and that nobody but the person ever sees one person's answers (docs/equality.md)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import reverse

from dashboard.figures.exports import EXPORTS
from dashboard.figures.pool import PoolFigures
from dashboard.filters import whole_pool
from equality.categories import BY_KEY
from equality.models import EqualityAnswers
from equality.services import save_equality_answers
from reflect.data_protection.erasure import erase_account
from reflect.data_protection.export import export_document
from reflect.errors import DomainError
from reflect.models import Membership, Notification
from scheduling.models import GroupSession, Place, PlaceStatus
from tests.factories.core import UserFactory, give_two_factor, signed_in, staff_of
from tests.factories.groups import ReflectiveGroupFactory
from tests.factories.supervision import SupervisorProfileFactory

pytestmark = pytest.mark.django_db

# After November 2026 has ended: the reach tables cover April to November 2026.
NOW = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
JUNE = datetime.datetime(2026, 6, 10, 13, 0, tzinfo=datetime.UTC)


def at_start(organisation) -> None:
    Membership.objects.filter(organisation=organisation).update(
        joined_at=datetime.datetime(2026, 4, 1, tzinfo=datetime.UTC)
    )


@pytest.fixture
def forty(world):
    """40 staff in the world's organisation: 20 say "Female" (8 of them attended June's group
    session), 14 "Male" (all attended) and 6 "Prefer not to say" (all attended). The member is
    among the last 6, and also answers "Roma" to the ethnic group question, alone."""
    organisation = world.organisation
    staff = [world.lead, world.colleague] + [staff_of(organisation) for _ in range(37)] + [world.member]
    at_start(organisation)
    answers = ["female"] * 20 + ["male"] * 14 + ["prefer_not"] * 6
    for person, sex in zip(staff, answers, strict=True):
        save_equality_answers(person, {"sex": sex}, acting_user=person)
    save_equality_answers(world.member, {"ethnic_group": "white_roma"}, acting_user=world.member)
    attended = staff[:8] + staff[20:]
    session = GroupSession.objects.create(
        group=ReflectiveGroupFactory(pool=world.pool, duration_minutes=120),
        starts_at=JUNE,
        ends_at=JUNE + datetime.timedelta(hours=2),
        place_limit=30,
        places_taken=len(attended),
        places_attended=len(attended),
    )
    Place.objects.bulk_create(
        Place(session=session, user=p, organisation=organisation, status=PlaceStatus.ATTENDED, booked_at=JUNE)
        for p in attended
    )
    return world


def cells(table) -> list[list[str]]:
    return [[cell.text for cell in row] for row in (*table.rows, table.total)]


def test_the_sex_table_with_suppression_secondary_suppression_and_the_flag(forty) -> None:
    table = PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW).reach.table(BY_KEY["sex"])
    # Female: 20 of 40 staff (50 %), 8 of 28 people → 10 of 30 disclosed (33 %), 8 places → 10
    # of 30 (33 %), 16 of 56 hours (29 %): under 0.8 × 50 % = 40 % for people and hours.
    # "Prefer not to say" (6) is hidden; alone it would be the total less the rest, so "Not
    # answered" (0) and then the smallest, "Male", go too, until the hidden rows hold 8 or more.
    hidden = ["*"] * 8 + ["–"]
    assert cells(table) == [
        ["Female", "20", "50%", "10", "33%", "10", "33%", "16", "29%", "Yes: fewer people and hours"],
        ["Male", *hidden],
        ["Prefer not to say", *hidden],
        ["Not answered", *hidden],
        ["All staff", "40", "–", "30", "–", "30", "–", "56", "–", "–"],
    ]


HIDDEN_WHY = (
    "answers from fewer than 8 people, and any that would give one of those away, are hidden so that no one "
    "can be recognised."
)


def test_the_reach_page_says_in_one_sentence_how_many_answers_are_hidden(forty, client) -> None:
    # Sex: Male, Prefer not to say and Not answered (3 of 4 rows); ethnic group: the one Roma
    # answer, the 39 not answered and every empty row with them (all 21); no other question is
    # hidden (40 staff "Not answered"). 57 rows in all.
    reach = PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW).reach
    assert reach.hidden_answers() == (3 + 21, 57, False)
    summary = f"24 of 57 answers are hidden (*): {HIDDEN_WHY}"
    assert reach.section().summary == summary
    give_two_factor(forty.commissioner)
    page = signed_in(client, forty.commissioner).get(f"/pools/{forty.pool.pk}/dashboard/reach/").content.decode()
    assert f'<p class="govuk-body" id="reach-summary">{summary}</p>' in page


def test_a_pool_too_small_to_show_any_answer_says_so(world) -> None:
    # Three staff in all: every answer anyone gave is hidden, and the page says why at once.
    at_start(world.organisation)
    reach = PoolFigures(world.pool, whole_pool(world.pool), now=NOW).reach
    assert reach.hidden_answers()[2] is True
    assert reach.section().summary == (
        f"This pool is too small to show its answers: every answer given is hidden (*), as {HIDDEN_WHY}"
    )


def test_the_one_person_answering_roma_is_never_shown(forty, client) -> None:
    give_two_factor(forty.commissioner)
    client = signed_in(client, forty.commissioner)
    base = f"/pools/{forty.pool.pk}/dashboard/"
    rows = list(csv.reader(io.StringIO(client.get(f"{base}reach-ethnic-group.csv").getvalue().decode())))
    roma = next(row for row in rows if row[0] == "Roma")
    assert roma[1:9] == ["*"] * 8
    page = client.get(f"{base}reach/").content.decode()
    assert '<h1 class="govuk-heading-l" id="reach">Reach and equality</h1>' in page
    assert 'id="table-reach-ethnic-group"' in page


def test_the_reach_tables_ignore_the_filters_so_views_cannot_be_subtracted(forty, client) -> None:
    give_two_factor(forty.commissioner)
    client = signed_in(client, forty.commissioner)
    base = f"/pools/{forty.pool.pk}/dashboard/reach-sex.csv"
    whole = client.get(base).getvalue()
    for query in (f"?organisation={forty.organisation.pk}", "?from=2026-06&to=2026-06", "?from=2026-07&to=2027-01"):
        assert client.get(base + query).getvalue() == whole, query


def test_nobody_else_sees_one_persons_answers_on_any_page_or_in_any_output(forty, client, admin_user) -> None:
    member = forty.member
    pool = forty.pool.pk
    give_two_factor(forty.commissioner)
    supervisor = SupervisorProfileFactory().user
    give_two_factor(supervisor)
    others = [
        forty.lead,
        forty.colleague,
        forty.outsider,
        forty.commissioner,
        forty.other_commissioner,
        supervisor,
        admin_user,
    ]
    pages = [
        reverse("home"),
        reverse("account"),
        reverse("organisation_detail", args=[forty.organisation.pk]),
        reverse("organisation_usage", args=[forty.organisation.pk]),
        reverse("my_data"),
        reverse("my_data_export_json"),
        reverse("my_data_export_html"),
        reverse("equality_answers"),
        reverse("supervisor_sessions"),
        f"/admin/reflect/user/{member.pk}/change/",
        "/admin/equality/equalityanswers/",
        "/admin/",
    ]
    for person in others:
        signed_in(client, person)
        for url in pages:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            # The words of the member's answer appear on nobody else's page (their own page
            # shows the radio buttons' labels, not theirs selected: the page is always "me").
            text = body.decode()
            assert 'value="white_roma" selected' not in text, (person, url)
            assert "Roma" not in text or url == reverse("equality_answers"), (person, url)
    # Every CSV a commissioner can download: the Roma row, if any, is all hidden.
    signed_in(client, forty.commissioner)
    for key in EXPORTS:
        rows = list(csv.reader(io.StringIO(client.get(f"/pools/{pool}/dashboard/{key}.csv").getvalue().decode())))
        for row in rows:
            if row and row[0] == "Roma":
                assert set(row[1:9]) == {"*"}, key
    # No e-mail or message was made of it, and no admin page exists for it.
    assert not [m for m in mail.outbox if "Roma" in m.body]
    assert not [n for n in Notification.objects.all() if "Roma" in f"{n.context}{n.secret_context}"]
    assert EqualityAnswers not in admin.site._registry
    signed_in(client, admin_user)
    assert client.get("/admin/equality/equalityanswers/").status_code == 404
    assert all(p.content_type.app_label != "equality" for p in admin_user.user_permissions.all())


def test_the_person_sees_their_own_answers_and_their_export_holds_them(forty, client) -> None:
    signed_in(client, forty.member)
    page = client.get(reverse("equality_answers")).content.decode()
    assert '<option value="white_roma" selected>Roma</option>' in page
    document = export_document(forty.member)
    section = next(s for s in document["sections"] if s["title"] == "Your answers to the equality questions")
    assert section["rows"][0]["Ethnic group"] == "Roma"
    assert section["rows"][0]["Sex"] == "Prefer not to say"
    # A colleague's own export has their answers, never the member's.
    assert "Roma" not in str(export_document(forty.colleague))


def test_erasure_deletes_the_answers(forty) -> None:
    assert EqualityAnswers.objects.filter(user=forty.member).exists()
    erase_account(forty.member, acting_user=forty.member, now=NOW)
    assert not EqualityAnswers.objects.filter(user=forty.member).exists()
    # The erased account counts as "not answered" in the totals from now on.
    assert EqualityAnswers.objects.count() == 39


def test_staff_answer_change_and_prefer_not_to_say_from_their_account(world, client) -> None:
    signed_in(client, world.member)
    account = client.get(reverse("account")).content.decode()
    assert reverse("equality_answers") in account
    response = client.post(reverse("equality_answers"), {"sex": "female", "religion": "buddhist"}, follow=True)
    assert "Thank you. Your answers are saved." in response.content.decode()
    row = EqualityAnswers.objects.get(user=world.member)
    assert (row.sex, row.religion, row.age_band) == ("female", "buddhist", "")
    client.post(reverse("equality_answers"), {"sex": "female", "religion": "prefer_not"})
    row.refresh_from_db()
    assert (row.sex, row.religion) == ("female", "prefer_not")


def test_an_answer_that_is_not_offered_is_refused_and_nothing_changes(world, client) -> None:
    signed_in(client, world.member)
    response = client.post(reverse("equality_answers"), {"sex": "robot", "religion": "buddhist"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not EqualityAnswers.objects.filter(user=world.member).exists()
    with pytest.raises(DomainError):
        save_equality_answers(world.member, {"sex": "robot"}, acting_user=world.member)
    with pytest.raises(DomainError):
        save_equality_answers(world.member, {"sex": "male"}, acting_user=world.colleague)


def test_the_home_page_asks_staff_once_and_stops_when_told(world, client) -> None:
    signed_in(client, world.member)
    assert "Help us check the pool reaches everyone" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("equality_not_now"), follow=True)
    page = response.content.decode()
    assert "We will not ask again." in page
    assert "Help us check the pool reaches everyone" not in page
    assert EqualityAnswers.objects.get(user=world.member).sex == ""
    # Answering also stops it, and the prompt is for staff only.
    signed_in(client, world.colleague)
    client.post(reverse("equality_answers"), {"sex": "male"})
    assert "Help us check the pool reaches everyone" not in client.get(reverse("home")).content.decode()
    signed_in(client, UserFactory())
    assert "Help us check the pool reaches everyone" not in client.get(reverse("home")).content.decode()


def test_the_reach_section_takes_the_same_queries_at_two_sizes(forty, django_assert_num_queries) -> None:
    def run() -> None:
        PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW).reach.section()

    with django_assert_num_queries(REACH_QUERIES):
        run()
    more = [staff_of(forty.organisation) for _ in range(30)]
    at_start(forty.organisation)
    for person in more:
        save_equality_answers(person, {"sex": "male", "age_band": "25_34"}, acting_user=person)
    with django_assert_num_queries(REACH_QUERIES):
        run()


# The staff, the places, the supervision sessions, the answers.
REACH_QUERIES = 4


def test_use_in_the_month_still_under_way_leaves_the_reach_tables_unchanged(forty) -> None:
    """The reach section has no period still filling up (the review's question): it ends at the
    last month that has ended, so a session this month changes nothing until the month is over."""
    before = {
        c.key: cells(PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW).reach.table(c)) for c in BY_KEY.values()
    }
    december = datetime.datetime(2026, 12, 3, 13, 0, tzinfo=datetime.UTC)
    session = GroupSession.objects.create(
        group=ReflectiveGroupFactory(pool=forty.pool, duration_minutes=60),
        starts_at=december,
        ends_at=december + datetime.timedelta(hours=1),
        place_limit=5,
        places_taken=1,
        places_attended=1,
    )
    Place.objects.create(
        session=session, user=forty.member, organisation=forty.organisation, status=PlaceStatus.ATTENDED,
        booked_at=december,
    )  # fmt: skip
    figures = PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW).reach
    assert {c.key: cells(figures.table(c)) for c in BY_KEY.values()} == before
    assert figures.section().notes[0].startswith("April 2026 to November 2026, the whole pool")
    # Once December has ended, it counts.
    later = PoolFigures(forty.pool, whole_pool(forty.pool), now=NOW + datetime.timedelta(days=30)).reach
    assert cells(later.table(BY_KEY["sex"]))[-1][7] == "57"  # 56 hours and December's one
