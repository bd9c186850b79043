"""City- and national-scale demo data (docs/performance.md): ``seed_demo --scale city`` and
``--scale national``.

The city: one pool of 300 organisations, 60 supervisors, 24 months (January 2025 to December 2026, so
that late 2026 is "near the period's end" and the dashboard suggests rebalancing), 300 monthly
reflective groups with their places, waitlists and attendance, 1,500 staff, supervision
agreements of 8–12 hours a month with their sessions, and every countable event in the
ledger — over 100k places and supervision bookings together, written with ``bulk_create``.
Deterministic: a seeded random generator and fixed dates, so two runs give the same figures.
It bypasses the services on purpose (they take a lock and queue notifications per row): this
is fixture data for the dashboard and its benchmark, and it writes only what those services
would.

The national scale is the same pool ten times over (3,000 organisations, 3,000 supervisors, 3,000
groups, 15,000 staff): about 3.9 million places, bookings and ledger entries. It runs on
PostgreSQL only, and writes its large tables with COPY (``demo/copy_rows.py``) and the ledger's
monthly totals with one grouped INSERT, so that it takes minutes rather than the better part of
an hour, in a few hundred megabytes.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from io import TextIOBase

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from demo.copy_rows import CopyWriter, OrmWriter, Writer
from reflect.enums import AllocationRule, LedgerKind
from reflect.models import (
    Community,
    LedgerEntry,
    Membership,
    Organisation,
    Pool,
    PoolCommissioner,
    PoolOrganisation,
    User,
)
from scheduling.models import (
    BookingStatus,
    GroupSession,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SupervisionBooking,
    WaitlistEntry,
    WaitlistStatus,
)
from supervision.enums import AgreementStatus, Outcome
from supervision.models import NeedsAssessment, QuestionBankVersion, SupervisionAgreement, SupervisorProfile

CITY_POOL_NAME = "Leeds city-wide pool 2025–26 (city-scale demo)"
NATIONAL_POOL_NAME = "England national pool 2025–26 (national-scale demo)"
# The city's size (a test shrinks these); the national scale is ten times each.
ORGANISATIONS = 300
SUPERVISORS = 60
GROUPS = 300
STAFF_EACH = 5
MONTHS = 24
FIRST_DAY = datetime.date(2025, 1, 1)
LAST_DAY = datetime.date(2026, 12, 31)
RATE = Decimal("60")
# An organisation with no supervision agreement is allocated a little, for when it starts one.
ALLOCATION_WITHOUT_AGREEMENT = Decimal("24")
# Events stop here, whatever the day the seed runs, so that every run writes the same rows.
DATA_UNTIL = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
AREAS = ["Armley", "Beeston", "Chapeltown", "Harehills", "Headingley", "Holbeck", "Otley", "Seacroft"]
KINDS = ["Community Project", "Peer Support", "Arts Collective", "Advocacy", "Wellbeing Group", "Drop-in"]
BATCH = 5000
ZERO = Decimal("0")
QUIET_FROM = datetime.date(2026, 6, 1)


@dataclass(frozen=True)
class Scale:
    name: str  # "city" or "national": in the staff's e-mail addresses and the summary line
    pool_name: str
    organisations: int
    supervisors: int
    groups: int
    staff_each: int


def city_scale() -> Scale:
    return Scale("city", CITY_POOL_NAME, ORGANISATIONS, SUPERVISORS, GROUPS, STAFF_EACH)


def national_scale(organisations: int = 3000) -> Scale:
    """As many supervisors and groups as organisations (a test seeds a few of each)."""
    return Scale("national", NATIONAL_POOL_NAME, organisations, organisations, organisations, STAFF_EACH)


def _utc(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _month(index: int) -> datetime.date:
    return datetime.date(FIRST_DAY.year + index // 12, index % 12 + 1, 1)


class _Ledger:
    """The entries as the seed makes them, handed to the writer a batch at a time (so that the
    national scale's millions are never all in memory at once)."""

    def __init__(self, pool: Pool, writer: Writer) -> None:
        self.pool = pool
        self.writer = writer
        self.rows: list[LedgerEntry] = []
        self.written = 0

    def add(
        self,
        kind: str,
        organisation_id: int,
        when: datetime.datetime,
        *,
        hours: Decimal = Decimal("0"),
        quantity: int = 0,
        source: str | None = None,
    ) -> None:
        self.rows.append(
            LedgerEntry(
                pool=self.pool,
                organisation_id=organisation_id,
                kind=kind,
                hours=hours,
                money=(hours * RATE).quantize(Decimal("0.01")),
                quantity=quantity,
                occurred_at=when,
                source=source,
            )
        )
        if len(self.rows) >= self.writer.ledger_batch:
            self.flush()

    def flush(self) -> None:
        self.writer.ledger(self.pool, self.rows)
        self.written += len(self.rows)
        self.rows = []


def seed_city(commissioner: User, out: TextIOBase) -> None:
    _seed_scale(city_scale(), OrmWriter(), commissioner, out)


def seed_national(commissioner: User, out: TextIOBase, *, organisations: int = 3000) -> None:
    """The national-scale pool (PostgreSQL only: it writes with COPY)."""
    _seed_scale(national_scale(organisations), CopyWriter(), commissioner, out)


def _seed_scale(scale: Scale, writer: Writer, commissioner: User, out: TextIOBase) -> None:
    title = scale.name.capitalize()
    if Pool.objects.filter(name=scale.pool_name).exists():
        out.write(f"{title}-scale pool: already seeded.\n")
        return
    with transaction.atomic():
        counts = _seed(commissioner, scale, writer)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, as autovacuum would gather soon after a bulk load
        # (without them it estimates tens of rows where there are 100k, and sorts on disk), for
        # every table the seed wrote: the small ones too, or the planner takes the pool's 300
        # groups for one and joins 68k places to them row by row.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    out.write(
        f"{title}-scale pool: "
        "{organisations} organisations, {supervisors} supervisors, {sessions} group sessions, "
        "{places} places, {bookings} supervision bookings, {ledger} ledger entries.\n".format(**counts)
    )


def _seed(commissioner: User, scale: Scale, writer: Writer) -> dict[str, int]:
    rng = random.Random(2026)
    pool = Pool.objects.create(
        name=scale.pool_name,
        description=f"{scale.name.capitalize()}-scale demo data for the dashboard: "
        f"{scale.organisations} organisations over 24 months.",
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
        hours_budget=Decimal("0"),  # set once the allocations are known, below
        money_budget=Decimal("0"),
        hourly_rate=RATE,
        allocation_rule=AllocationRule.MANUAL,
    )
    PoolCommissioner.objects.create(pool=pool, user=commissioner)
    ledger = _Ledger(pool, writer)

    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{AREAS[i % len(AREAS)]} {KINDS[(i // len(AREAS)) % len(KINDS)]} {i + 1:03d}",
            description=f"A community organisation ({scale.name}-scale demo data).",
            area=f"Leeds – {AREAS[i % len(AREAS)]}",
            staff_size=scale.staff_each,
            runs_group_work=i % 3 != 0,
        )
        for i in range(scale.organisations)
    )
    communities = list(Community.objects.order_by("position", "pk"))
    if communities:
        Organisation.communities.through.objects.bulk_create(
            Organisation.communities.through(organisation_id=org.pk, community_id=community.pk)
            for i, org in enumerate(organisations)
            for community in {communities[i % len(communities)], communities[(i * 7) % len(communities)]}
        )
    PoolOrganisation.objects.bulk_create(PoolOrganisation(pool=pool, organisation=org) for org in organisations)
    joined: dict[int, datetime.datetime] = {}
    for i, org in enumerate(organisations):
        # Most join in the first months; one in ten joins in the second year.
        offset = rng.randint(0, 90) if i % 10 else rng.randint(365, 500)
        joined[org.pk] = _utc(FIRST_DAY + datetime.timedelta(days=offset), 9)
        ledger.add(LedgerKind.ORGANISATION_JOINED, org.pk, joined[org.pk], quantity=1)

    password = make_password(None)  # city staff never sign in
    users = User.objects.bulk_create(
        User(
            email=f"{scale.name}.staff{n:04d}@{scale.name}.reflect.test",
            first_name=f"Staff{n:04d}",
            last_name="City",
            password=password,
        )
        for n in range(scale.organisations * scale.staff_each)
    )
    staff_by_org: dict[int, list[int]] = {}
    memberships = []
    for n, user in enumerate(users):
        org = organisations[n // scale.staff_each]
        staff_by_org.setdefault(org.pk, []).append(user.pk)
        memberships.append(Membership(organisation=org, user=user, is_lead=n % scale.staff_each == 0))
    Membership.objects.bulk_create(memberships, batch_size=BATCH)
    org_of_user = {user: org for org, members in staff_by_org.items() for user in members}

    supervisor_users = User.objects.bulk_create(
        User(
            email=f"{scale.name}.supervisor{n:02d}@{scale.name}.reflect.test",
            first_name=f"Supervisor{n:02d}",
            last_name="City",
            password=password,
        )
        for n in range(scale.supervisors)
    )
    supervisors = SupervisorProfile.objects.bulk_create(
        SupervisorProfile(
            user=user,
            profession="Counselling psychologist",
            # Hours to spare beyond what they agree below (added there).
            monthly_capacity_hours=Decimal(rng.choice([5, 10, 15, 20])),
            verified_at=_utc(FIRST_DAY),
            agrees_non_clinical=True,
            offers=["one_to_one", "group_supervision"],
        )
        for user in supervisor_users
    )

    # Supervision: two in three organisations agree 8–12 hours a month (for their staff
    # together) with a supervisor, from a month or two after joining; one in eight agreements
    # has ended. Sessions are an hour. Supervisors take the agreements in turn (3 or 4 each).
    agreements: list[SupervisionAgreement] = []
    outcomes: dict[int, str] = {}
    # One in twenty organisations goes quiet: no supervision, and no group places from June 2026
    # (the dashboard lists them, and rebalancing offers their unused hours to others).
    quiet = {org.pk for i, org in enumerate(organisations) if i % 20 == 7}
    for i, org in enumerate(organisations):
        outcomes[org.pk] = rng.choice(
            [Outcome.CLINICAL_SUPERVISION_RECOMMENDED] * 3
            + [Outcome.CONSIDER_CASE_CONSULTATION] * 2
            + [Outcome.REFLECTIVE_PRACTICE_LIKELY_ENOUGH]
        )
        if i % 3 == 2 or org.pk in quiet:
            continue
        start = (joined[org.pk] + datetime.timedelta(days=rng.randint(20, 70))).date().replace(day=1)
        ended = i % 8 == 0
        ending = i % 8 == 1  # notice given: ends with the pool's period
        agreements.append(
            SupervisionAgreement(
                organisation=org,
                supervisor=supervisors[len(agreements) % scale.supervisors],
                pool=pool,
                format="one_to_one",
                hours_per_month=Decimal(rng.choice([8, 10, 12])),
                starts_on=start,
                ends_on=datetime.date(2026, 6, 30) if ended else LAST_DAY if ending else None,
                review_on=start + datetime.timedelta(days=90),
                status=AgreementStatus.ENDED if ended else AgreementStatus.ACTIVE,
            )
        )
    SupervisionAgreement.objects.bulk_create(agreements)
    # Each supervisor's capacity is what they have agreed now (agreeing requires it), and some to
    # spare; agreements that ended in June 2026 booked within it too, before they ended.
    for agreement in agreements:
        if agreement.status == AgreementStatus.ACTIVE:
            agreement.supervisor.monthly_capacity_hours += agreement.hours_per_month
    SupervisorProfile.objects.bulk_update(supervisors, ["monthly_capacity_hours"])
    # Each organisation is allocated, when it joins, what its agreement could use in the pool's
    # two years (its hours a month × 24), so that use stays within the allocation as booking
    # makes it; the budget keeps a tenth back, unallocated.
    per_month = {agreement.organisation_id: agreement.hours_per_month for agreement in agreements}
    allocated = ZERO
    for org in organisations:
        hours = per_month[org.pk] * MONTHS if org.pk in per_month else ALLOCATION_WITHOUT_AGREEMENT
        ledger.add(LedgerKind.ALLOCATED, org.pk, joined[org.pk], hours=hours)
        allocated += hours
    pool.hours_budget = (allocated * Decimal("1.1")).quantize(Decimal("1"))
    pool.money_budget = pool.hours_budget * RATE
    pool.save(update_fields=["hours_budget", "money_budget"])
    hour = Decimal("1")
    bookings: list[SupervisionBooking] = []
    # Each supervisor's agreements take turns through the month so that no two of their
    # sessions overlap (the exclusion constraint holds on PostgreSQL): the k-th agreement of a
    # supervisor meets on days of parity k % 2, at 09:00, 11:00 or 13:00 by k // 2.
    turn: dict[int, int] = {}
    for agreement in agreements:
        k = turn[agreement.supervisor_id] = turn.get(agreement.supervisor_id, -1) + 1
        month = agreement.starts_on
        last = agreement.ends_on or LAST_DAY
        while month <= last:
            for n in range(int(agreement.hours_per_month)):
                when = _utc(month + datetime.timedelta(days=2 * n + k % 2), 9 + 2 * (k // 2))
                org_id = agreement.organisation_id
                booked_at = when - datetime.timedelta(days=14)
                if booked_at > DATA_UNTIL:
                    break
                ledger.add(LedgerKind.SUPERVISION_BOOKED, org_id, booked_at, quantity=1)
                ledger.add(LedgerKind.RESERVED, org_id, booked_at, hours=hour)
                booking = SupervisionBooking(
                    agreement=agreement,
                    supervisor_id=agreement.supervisor_id,
                    organisation_id=org_id,
                    pool=pool,
                    starts_at=when,
                    ends_at=when + datetime.timedelta(hours=1),
                    minutes=60,
                    hours=hour,
                )
                bookings.append(booking)
                if when > DATA_UNTIL:
                    continue  # booked, still to come: its hours stay reserved
                roll = rng.random()
                booking.status = (
                    BookingStatus.CANCELLED
                    if roll < 0.08
                    else BookingStatus.LATE_CANCELLED
                    if roll < 0.12
                    else BookingStatus.NO_SHOW
                    if roll < 0.15
                    else BookingStatus.ATTENDED
                )
                if booking.is_cancelled:
                    booking.cancelled_at = when - datetime.timedelta(days=3 if roll < 0.08 else 0, hours=5)
                if roll < 0.08:
                    ledger.add(LedgerKind.SUPERVISION_CANCELLED, org_id, when - datetime.timedelta(days=3), quantity=1)
                    ledger.add(LedgerKind.RELEASED, org_id, when - datetime.timedelta(days=3), hours=hour)
                elif roll < 0.12:
                    ledger.add(
                        LedgerKind.SUPERVISION_LATE_CANCELLED, org_id, when - datetime.timedelta(hours=5), quantity=1
                    )
                    ledger.add(LedgerKind.CONSUMED, org_id, when - datetime.timedelta(hours=5), hours=hour)
                elif roll < 0.15:
                    ledger.add(LedgerKind.SUPERVISION_NO_SHOW, org_id, when, quantity=1)
                    ledger.add(LedgerKind.CONSUMED, org_id, when, hours=hour)
                else:
                    ledger.add(LedgerKind.SUPERVISION_HELD, org_id, when, quantity=1)
                    ledger.add(LedgerKind.CONSUMED, org_id, when, hours=hour)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
    # Who attended each session is not needed by the dashboard (it counts, never names), so
    # the city's bookings have no attendee rows.
    writer.insert(SupervisionBooking, bookings)

    version = QuestionBankVersion.objects.filter(published_at__isnull=False).order_by("-number").first()
    if version is not None:
        assessments = []
        for i, org in enumerate(organisations):
            if i % 10 == 9:
                continue  # one in ten has not taken the questionnaire
            completed = joined[org.pk] - datetime.timedelta(days=20)
            assessments.append(
                NeedsAssessment(
                    version=version,
                    organisation=org,
                    completed_at=completed,
                    current_section=6,
                    outcome=outcomes[org.pk],
                    result={
                        "outcome": outcomes[org.pk],
                        "reasons": [],
                        "formats": [],
                        "specialisms": [],
                        "clinical_points": 0,
                        "consultation_points": 0,
                        "bank_version": version.number,
                    },
                )
            )
            ledger.add(LedgerKind.ASSESSMENT_COMPLETED, org.pk, completed, quantity=1)
        NeedsAssessment.objects.bulk_create(assessments, batch_size=BATCH)

    # Reflective groups: 90 monthly groups of 12 (10 % overbooking), each open to the pool.
    groups = ReflectiveGroup.objects.bulk_create(
        ReflectiveGroup(
            pool=pool,
            title=f"{AREAS[g % len(AREAS)]} reflective practice {g + 1:02d}",
            facilitator=supervisors[g % scale.supervisors],
            rrule=f"FREQ=MONTHLY;BYDAY=+{g % 4 + 1}{['MO', 'TU', 'WE', 'TH'][g % 4]}",
            first_date=FIRST_DAY,
            start_time=datetime.time(14, 0),
            duration_minutes=120,
            capacity=12,
            overbooking_percent=10,
            ground_rules="What is said here stays here.",
            confidentiality_statement="Nothing said is written down.",
        )
        for g in range(scale.groups)
    )
    sessions = []
    for g, group in enumerate(groups):
        for m in range(MONTHS):
            start = _utc(_month(m) + datetime.timedelta(days=7 * (g % 4) + g % 5), 14)
            sessions.append(
                GroupSession(group=group, starts_at=start, ends_at=start + datetime.timedelta(hours=2), place_limit=13)
            )
    # Their rows are written once their places are counted, below (given their keys now).
    writer.give_keys(GroupSession, sessions)

    # Staff book places only once their organisation has joined (and not when it has gone quiet).
    eligible_by_month: dict[datetime.date, list[int]] = {}
    for m in range(MONTHS):
        month = _month(m)
        eligible_by_month[month] = [
            user.pk
            for user in users
            if joined[org_of_user[user.pk]].date() < month
            and not (org_of_user[user.pk] in quiet and month >= QUIET_FROM)
        ]
    places: list[Place] = []
    waitlist: list[WaitlistEntry] = []
    for session in sessions:
        past = session.starts_at <= DATA_UNTIL
        wanted = rng.randint(6, 16) if past else rng.randint(0, 6)
        eligible = eligible_by_month[session.starts_at.date().replace(day=1)]
        people = rng.sample(eligible, min(wanted, len(eligible)))
        taken = 0
        for n, user_id in enumerate(people):
            org_id = org_of_user[user_id]
            booked_at = session.starts_at - datetime.timedelta(days=rng.randint(2, 25), hours=n)
            if booked_at > DATA_UNTIL:
                continue
            if n >= session.place_limit:
                # Joined the waitlist of a full session.
                waitlist.append(
                    WaitlistEntry(
                        session=session,
                        user_id=user_id,
                        organisation_id=org_id,
                        joined_at=booked_at,
                        status=WaitlistStatus.WAITING
                        if not past
                        else rng.choice([WaitlistStatus.TAKEN, WaitlistStatus.EXPIRED]),
                    )
                )
                continue
            roll = rng.random()
            status = PlaceStatus.BOOKED
            if roll < 0.05:
                status = PlaceStatus.CANCELLED
            elif past:
                status = PlaceStatus.ATTENDED if roll < 0.92 else PlaceStatus.ABSENT
            places.append(
                Place(
                    session=session,
                    user_id=user_id,
                    organisation_id=org_id,
                    status=status,
                    booked_at=booked_at,
                    cancelled_at=booked_at + datetime.timedelta(days=1) if status == PlaceStatus.CANCELLED else None,
                )
            )
            ledger.add(LedgerKind.PLACE_BOOKED, org_id, booked_at, quantity=1)
            if status == PlaceStatus.CANCELLED:
                ledger.add(LedgerKind.PLACE_CANCELLED, org_id, booked_at + datetime.timedelta(days=1), quantity=1)
                continue
            taken += 1
            if status == PlaceStatus.ATTENDED:
                session.places_attended += 1
                ledger.add(LedgerKind.PLACE_ATTENDED, org_id, session.ends_at, quantity=1)
            elif status == PlaceStatus.ABSENT:
                session.places_absent += 1
                ledger.add(LedgerKind.PLACE_MISSED, org_id, session.ends_at, quantity=1)
        # The one write of places_taken outside scheduling/groups/capacity.py (docs/groups.md,
        # "Capacity"): a bulk load of sessions created just above, counting their places.
        session.places_taken = taken
    writer.complete(GroupSession, sessions, ["places_taken", "places_attended", "places_absent"])
    writer.insert(Place, places)
    # A place came the way of those who took one, and of those whose offer lapsed.
    offered_kinds: dict[str, LedgerKind] = {
        WaitlistStatus.TAKEN: LedgerKind.WAITLIST_TAKEN,
        WaitlistStatus.EXPIRED: LedgerKind.WAITLIST_OFFERED,
    }
    for entry in waitlist:
        if entry.status in offered_kinds:
            entry.first_offered_at = min(
                entry.joined_at + datetime.timedelta(days=rng.randint(1, 6)), entry.session.starts_at
            )
    writer.insert(WaitlistEntry, waitlist)
    for entry in waitlist:
        ledger.add(LedgerKind.WAITLIST_JOINED, entry.organisation_id, entry.joined_at, quantity=1)
        if entry.status in offered_kinds and entry.first_offered_at is not None:  # set just above
            kind = offered_kinds[entry.status]
            ledger.add(
                kind,
                entry.organisation_id,
                entry.first_offered_at,
                quantity=1,
                source=f"group-waitlist:{entry.pk}:{kind}",
            )
    ledger.flush()
    # With the ledger's monthly totals, as every writer of the ledger does (the dashboard reads those).
    writer.ledger_months(pool)
    return {
        "organisations": len(organisations),
        "supervisors": len(supervisors),
        "sessions": len(sessions),
        "places": len(places),
        "bookings": len(bookings),
        "ledger": ledger.written,
    }
