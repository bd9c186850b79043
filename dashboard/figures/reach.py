"""Reach and equality: who uses the pool against who works in its organisations, by each
answer to the equality questions (docs/equality.md).

Three rules keep every person's answers private:

- **The equality app adds up**, and hands back totals by answer only
  (:func:`equality.queries.tally_by_answer`); this module never sees whose answer is what.
- **Suppression, then secondary suppression.** Each table's counts of people go through
  :func:`reflect.disclosure.disclosed` (via :func:`dashboard.tables.present`), and the rows
  :func:`equality.suppression.hidden_rows` picks are withheld whole, hours too, so that no
  hidden count can be worked back from the totals.
- **No differencing.** The section ignores the page's filters: it always covers the whole pool,
  every month from the pool's first to the last complete one, and the staff working in its
  organisations at the end of that month. Two views can only differ by a whole month, never by an
  organisation, a group or a chosen range of months, and they change once a month.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, Q, Sum

from dashboard.figures.selection import Question
from dashboard.filters import Period, month_start
from dashboard.tables import LONDON, WITHHELD, Column, Measure, Rate, Section, Table, figure, make_table
from equality.categories import CATEGORIES, NOT_ANSWERED, PREFER_NOT_TO_SAY, Category
from equality.queries import AnswerTotals, PersonUse, Tally, tally_by_answer
from equality.suppression import hidden_rows
from reflect import wording
from reflect.disclosure import SMALLEST_SHOWN, SUPPRESSED, disclosed
from reflect.models import Membership, current_membership
from scheduling.models import BookingAttendee, BookingStatus, Place, PlaceStatus

# A group "uses markedly less than its share" when its share of the people who used the pool,
# or of their hours, is below this fraction of its share of the staff (docs/equality.md).
MARKEDLY_LESS = Decimal("0.8")
# Only answers given by at least this many staff (as shown) are judged: below it, rounding to 5
# alone can move a share by a fifth, and a flag would be noise.
FEWEST_JUDGED = 20
ALL_STAFF = "All staff"


def reach_period(starts_on: datetime.date, ends_on: datetime.date, now: datetime.datetime) -> Period | None:
    """The pool's months up to the last complete one (None before a month has ended)."""
    this_month = month_start(now.astimezone(LONDON).date())
    last = min(month_start(ends_on), month_start(this_month - datetime.timedelta(days=1)))
    first = month_start(starts_on)
    return Period(first, last) if last >= first else None


def _share(part: int | str, whole: int | str) -> Decimal | None:
    """A share from two *disclosed* figures, or None when either is hidden or the whole is 0."""
    if part == SUPPRESSED or whole == SUPPRESSED or not whole:
        return None
    return Decimal(part) / Decimal(whole)


def _hours(minutes: int) -> Decimal:
    return Decimal(minutes) / 60


def uses_less(row: AnswerTotals, total: AnswerTotals) -> str:
    """The flag, from the figures as shown (disclosed), never the raw ones: "Yes: …", "No", or
    "–" when a share cannot be compared (a share hidden, or nobody at all)."""
    shown_staff = disclosed(row.staff)
    if shown_staff == SUPPRESSED or int(shown_staff) < FEWEST_JUDGED:
        return "–"
    staff_share = _share(shown_staff, disclosed(total.staff))
    people_share = _share(disclosed(row.people), disclosed(total.people))
    if staff_share is None or people_share is None or not staff_share:
        return "–"
    hours_share = _hours(row.minutes) / _hours(total.minutes) if total.minutes else None
    short = [
        what
        for what, share in (("people", people_share), ("hours", hours_share))
        if share is not None and share < MARKEDLY_LESS * staff_share
    ]
    return f"Yes: fewer {' and '.join(short)}" if short else "No"


class ReachFigures(Question):
    """Share of places and hours by each answer to the equality questions, against staff."""

    @cached_property
    def period(self) -> Period | None:
        return reach_period(self.pool.starts_on, self.pool.ends_on, self.selection.now)

    @cached_property
    def tally(self) -> Tally:
        period = self.period
        # Before a month has ended: an empty period, so the same queries run and find nothing.
        start, end = (period.start, period.end) if period is not None else (self.selection.now,) * 2
        staff = (
            Membership.objects.filter(organisation__pool_memberships__pool=self.pool, joined_at__lt=end)
            .filter(current_membership() | Q(left_at__gte=end))
            .values_list("user_id", flat=True)
            .order_by()
        )
        use: dict[int, PersonUse] = {}
        places = (
            Place.objects.filter(
                session__group__pool=self.pool,
                status=PlaceStatus.ATTENDED,
                session__starts_at__gte=start,
                session__starts_at__lt=end,
            )
            .values("user_id")
            .annotate(places=Count("pk"), minutes=Sum("session__group__duration_minutes"))
            .order_by()
        )
        for row in places:
            use[row["user_id"]] = PersonUse(row["places"], row["minutes"] or 0)
        sessions = (
            BookingAttendee.objects.filter(
                booking__pool=self.pool,
                booking__status=BookingStatus.ATTENDED,
                booking__starts_at__gte=start,
                booking__starts_at__lt=end,
            )
            .values("user_id")
            .annotate(minutes=Sum("booking__minutes"))
            .order_by()
        )
        for attendee in sessions:
            before = use.get(attendee["user_id"], PersonUse(0, 0))
            use[attendee["user_id"]] = PersonUse(before.places, before.minutes + (attendee["minutes"] or 0))
        return tally_by_answer(staff, use)

    def table(self, category: Category) -> Table:
        totals = self.tally[category.key]
        labels = dict(category.rows)
        codes = [code for code, _ in category.rows]
        counts = [(totals[c].staff, totals[c].people, totals[c].places) for c in codes]
        hidden = hidden_rows(counts)
        whole = AnswerTotals(
            staff=sum(t.staff for t in totals.values()),
            people=sum(t.people for t in totals.values()),
            places=sum(t.places for t in totals.values()),
            minutes=sum(t.minutes for t in totals.values()),
        )
        rows: list[dict[str, Any]] = []
        for index, code in enumerate(codes):
            row = totals[code]
            if index in hidden:
                values: dict[str, Any] = dict.fromkeys(
                    (
                        "staff",
                        "staff_share",
                        "people",
                        "people_share",
                        "places",
                        "places_share",
                        "hours",
                        "hours_share",
                    ),
                    WITHHELD,
                )
                values["flag"] = "–"
            else:
                values = {
                    "staff": row.staff,
                    "staff_share": Rate(row.staff, whole.staff),
                    "people": row.people,
                    "people_share": Rate(row.people, whole.people),
                    "places": row.places,
                    "places_share": Rate(row.places, whole.places),
                    "hours": _hours(row.minutes),
                    "hours_share": (_hours(row.minutes), _hours(whole.minutes)),
                    # Only real answers are judged: "prefer not to say" is nobody's group.
                    "flag": "–" if code in (PREFER_NOT_TO_SAY, NOT_ANSWERED) else uses_less(row, whole),
                }
            rows.append({"answer": labels[code]} | values)
        total = {
            "answer": ALL_STAFF,
            "staff": whole.staff,
            "people": whole.people,
            "places": whole.places,
            "hours": _hours(whole.minutes),
        }
        return make_table(
            f"reach-{category.key.replace('_', '-')}",
            f"{category.title}: staff and use of the pool",
            (
                Column("answer", category.title, Measure.TEXT),
                Column("staff", "Staff", Measure.PEOPLE),
                Column("staff_share", "Share of staff", Measure.PEOPLE),
                Column("people", "People who used the pool", Measure.PEOPLE),
                Column("people_share", "Share of people", Measure.PEOPLE),
                Column("places", "Group places attended", Measure.PEOPLE),
                Column("places_share", "Share of places", Measure.PEOPLE),
                Column("hours", "Hours in sessions", Measure.HOURS),
                Column("hours_share", "Share of hours", Measure.PERCENT),
                Column("flag", "Uses markedly less than its share", Measure.TEXT),
            ),
            rows,
            total=total,
            page_rows=None,
        )

    def tables(self) -> list[Table]:
        return [self.table(category) for category in CATEGORIES]

    def hidden_answers(self) -> tuple[int, int, bool]:
        """Over every question's table: the answers (rows) ``hidden_rows`` withholds, the answers
        in all, and whether every answer anyone gave is among those withheld (the tables then
        show nothing but * and 0)."""
        hidden = offered = 0
        all_given_hidden = True
        for category in CATEGORIES:
            totals = self.tally[category.key]
            counts = [(totals[c].staff, totals[c].people, totals[c].places) for c, _ in category.rows]
            withheld = hidden_rows(counts)
            hidden += len(withheld)
            offered += len(counts)
            all_given_hidden &= all(index in withheld for index, row in enumerate(counts) if any(row))
        return hidden, offered, all_given_hidden

    def hidden_summary(self) -> str:
        """One sentence on what suppression hid, in the words of the one rule
        (reflect/disclosure.py); nothing when nothing is hidden."""
        hidden, offered, all_given_hidden = self.hidden_answers()
        if not hidden:
            return ""
        why = (
            f"answers from fewer than {SMALLEST_SHOWN} people, and any that would give one of those away, "
            "are hidden so that no one can be recognised"
        )
        if all_given_hidden:
            return f"This pool is too small to show its answers: every answer given is hidden (*), as {why}."
        return f"{hidden:,} of {wording.count(offered, 'answer')} are hidden (*): {why}."

    def section(self) -> Section:
        section = Section("reach", "Reach and equality")
        period = self.period
        tables = self.tables()
        flagged = sum(1 for table in tables for row in table.rows if row[-1].text.startswith("Yes"))
        any_table = self.tally[CATEGORIES[0].key]
        staff = sum(t.staff for t in any_table.values())
        # Everyone who used the pool is in each question's tally once (staff or not), so its
        # people add up to the people reached: no query of its own (the overview had one).
        reached = sum(t.people for t in any_table.values())
        section.figures += [
            figure("Staff in the pool's organisations", staff, Measure.PEOPLE),
            figure("People reached", reached, Measure.PEOPLE, "attended a reflective group or a supervision session"),
            figure("Answers using markedly less than their share", flagged, Measure.COUNT),
        ]
        if period is None:
            section.notes.append("No month of this pool has ended yet, so there is nothing to show.")
        else:
            section.notes.append(
                f"{wording.month(period.first_month)} to {wording.month(period.last_month)}, the whole pool: these tables do not "
                "follow the dashboard's filters, so that two views cannot be compared to pick out a few people. Staff are "
                "those working in the pool's organisations at the end of that month; people who used the pool "
                "attended a reflective group or a supervision session in it."
            )
        section.notes += [
            "Each person's answers are optional and nobody sees them; these are totals only. A row with 1 to 7 "
            "people in any count is shown as *, and so is at least one more row, so that no hidden figure can be "
            "worked out from the totals.",
            "An answer uses markedly less than its share when its share of the people who used the pool, or of "
            "their hours, is less than 0.8 times its share of the staff, both shares shown; only answers given by "
            "20 staff or more are judged.",
        ]
        section.summary = self.hidden_summary()
        section.tables += tables
        return section
