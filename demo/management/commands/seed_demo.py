"""Load a believable demo pool. Safe to run again: it only adds what is missing.

The organisations are fictional, of the kinds the report describes. Each area's demo data is a
step in ``demo`` (reminders, questionnaire results, supervisors, availability, bookings,
reflective groups), run in that order after the pool and its people exist.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from demo import DEMO_PASSWORD
from demo.availability import seed_availability, seed_supervision_bookings
from demo.city import seed_city, seed_national
from demo.equality import seed_equality_answers
from demo.groups import full_session_with_held_offer_demo, reflective_cohort_demo, reflective_group_demo
from demo.learning import seed_learning
from demo.learning_sessions import learning_sessions_demo
from demo.outcomes import seed_outcomes
from demo.reminders import demo_reminders
from demo.supervision import questionnaire_demo, supervisor_profiles_demo
from reflect.enums import AllocationRule, InvitationKind
from reflect.models import Community, Membership, Organisation, Pool, PoolOrganisation, User
from reflect.services.commissioners import approve_commissioner
from reflect.services.invitations import create_invitation
from reflect.services.pools import create_pool, join_pool
from reflect.services.preferences import preferences_for
from supervision.models import SupervisorProfile

DOMAIN = "demo.reflect.test"

# Each step adds what is missing of its area, and later steps build on earlier ones.
DEMO_STEPS = (
    demo_reminders,
    questionnaire_demo,
    supervisor_profiles_demo,
    seed_availability,
    seed_supervision_bookings,
    reflective_group_demo,
    reflective_cohort_demo,
    full_session_with_held_offer_demo,
)

ORGANISATIONS = [
    # name, what it does, area, staff, group work, community slugs
    (
        "Harehills Women's Drama Collective",
        "A weekly drama and storytelling group for refugee and asylum-seeking women, with a creative therapist.",
        "Harehills",
        5,
        True,
        ["black-and-south-asian", "poverty"],
    ),
    (
        "Chapeltown Community Hub",
        "A community centre with an acute-needs worker who supports people in crisis one to one.",
        "Chapeltown",
        8,
        False,
        ["black-and-south-asian", "poverty", "addictions"],
    ),
    (
        "Open Door Peer Support",
        "Peer support groups run by and for people who self-harm.",
        "City centre",
        4,
        True,
        ["lgbtqia"],
    ),
    (
        "Calm Minds Mindfulness Co-operative",
        "Eight-week mindfulness courses for people on community mental health waiting lists.",
        "Headingley",
        3,
        True,
        [],
    ),
    (
        "Roots and Shoots Care Farm",
        "A care farm running weekly horticulture groups for adults with complex needs.",
        "Otley",
        6,
        True,
        ["older-people", "neurodiverse"],
    ),
    (
        "Spectrum Voice Advocacy",
        "One-to-one advocacy for autistic adults in housing and benefits disputes.",
        "Armley",
        4,
        False,
        ["neurodiverse", "poverty"],
    ),
    (
        "North Leeds Hearing Voices Group",
        "A peer-led hearing voices group that meets twice a week.",
        "Chapel Allerton",
        3,
        True,
        [],
    ),
    (
        "Seacroft Men's Shed",
        "A workshop and social space for older men who are isolated.",
        "Seacroft",
        5,
        True,
        ["older-people"],
    ),
    (
        "Rainbow Haven",
        "A weekly drop-in and one-to-one support for LGBTQIA+ adults.",
        "City centre",
        4,
        True,
        ["lgbtqia"],
    ),
    (
        "Sahara Sisters Wellbeing",
        "Wellbeing groups in Urdu, Punjabi and English for South Asian women.",
        "Beeston",
        5,
        True,
        ["black-and-south-asian", "domestic-abuse"],
    ),
    (
        "Recovery Connect",
        "Peer recovery support for people using drugs or alcohol, in groups and one to one.",
        "Holbeck",
        6,
        True,
        ["addictions", "poverty"],
    ),
    (
        "Safe Steps",
        "Keyworker support for people who experience domestic abuse, with a weekly group.",
        "Burmantofts",
        7,
        True,
        ["domestic-abuse"],
    ),
]

FIRST_NAMES = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Efua",
    "Farhan",
    "Grace",
    "Hamza",
    "Isla",
    "Jamal",
    "Kasia",
    "Liam",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Usha",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
    "Abdi",
    "Bethan",
    "Ciaran",
    "Dina",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ife",
    "Jonah",
    "Kemi",
    "Leah",
    "Malik",
    "Nell",
    "Olu",
]
LAST_NAMES = [
    "Ahmed",
    "Brown",
    "Clarke",
    "Dhillon",
    "Evans",
    "Fofana",
    "Green",
    "Hussain",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
]

SUPERVISORS = [
    ("supervisor", "Ruth", "Okafor", "Counselling psychologist"),
    ("s.patel", "Sunita", "Patel", "Psychotherapist (group analytic)"),
    ("m.hughes", "Mark", "Hughes", "Mental health nurse"),
    ("a.nowak", "Anna", "Nowak", "Occupational therapist"),
    ("j.mensah", "Joseph", "Mensah", "Social worker (approved mental health professional)"),
    ("l.chen", "Li", "Chen", "Counsellor (BACP accredited)"),
    ("h.begum", "Hafsa", "Begum", "Clinical psychologist"),
    ("t.doyle", "Tom", "Doyle", "Dramatherapist"),
]


@functools.cache
def _demo_password_hash() -> str:
    # Hash once: hashing is deliberately slow, and every demo login shares the password.
    return make_password(DEMO_PASSWORD)


def _person(local: str, first: str, last: str, **extra: Any) -> User:
    email = f"{local}@{DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(
            email=email, password=_demo_password_hash(), first_name=first, last_name=last, **extra
        )
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    preferences_for(user)
    return user


class Command(BaseCommand):
    help = "Load the demo pool: 12 organisations, about 40 staff, 8 supervisors, 2 commissioners."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--scale",
            choices=["demo", "city", "national"],
            default="demo",
            help="city: also a 300-organisation, 24-month pool for the dashboard (docs/performance.md); "
            "national: also a 3,000-organisation one (PostgreSQL only).",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo superuser's password is published in the README.
            raise CommandError("seed_demo loads public demo logins and never runs in production.")
        if options["scale"] == "national" and connection.vendor != "postgresql":
            raise CommandError("The national scale needs PostgreSQL (it writes with COPY).")
        admin = _person("admin", "Ada", "Admin", is_staff=True, is_superuser=True)
        commissioner = _person("commissioner", "Carys", "Moore")
        other_commissioner = _person("commissioner2", "Dan", "Whitfield")
        # Only approved commissioners create pools (docs/security.md): the platform administrator
        # approves both, as they would in the admin.
        for person in (commissioner, other_commissioner):
            approve_commissioner(person, acting_user=admin)
        lead = _person("lead", "Leila", "Haddad")
        staff = _person("staff", "Sam", "Taylor")

        organisations = self._organisations(lead, staff)
        pool = self._pool(
            commissioner,
            organisations[:10],
            "Leeds community mental health pool 2026–27",
            Decimal("600"),
            AllocationRule.STAFF_WEIGHTED,
        )
        self._pool(
            other_commissioner,
            organisations[10:],
            "Wakefield and District reflective practice pool",
            Decimal("120"),
            AllocationRule.EQUAL,
        )
        # A waiting invitation, so the commissioner's page shows one.
        if not pool.invitations.filter(email=f"newgroup@{DOMAIN}").exists():
            create_invitation(
                InvitationKind.POOL_ORGANISATION, f"newgroup@{DOMAIN}", acting_user=commissioner, pool=pool
            )

        for index, (local, first, last, profession) in enumerate(SUPERVISORS):
            user = _person(local, first, last)
            SupervisorProfile.objects.get_or_create(
                user=user,
                defaults={
                    "profession": profession,
                    "verified_at": None if index == 7 else datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
                },
            )

        for step in DEMO_STEPS:
            step(self.stdout)

        if options["scale"] == "city":
            seed_city(commissioner, self.stdout)
        if options["scale"] == "national":
            seed_national(commissioner, self.stdout)
        seed_equality_answers(self.stdout)
        seed_outcomes(self.stdout)  # every pool's outcome answers, at any scale (demo/outcomes.py)
        seed_learning(self.stdout)  # every pool's year of learning needs, at any scale (demo/learning.py)
        # After the needs: its sessions are published to the people who asked (demo/learning_sessions.py).
        learning_sessions_demo(self.stdout)

        if not options["quiet_logins"]:
            self.stdout.write(
                self.style.SUCCESS(f"\nDemo data is ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
            )
            for email, role in [
                (staff.email, "staff member at Harehills Women's Drama Collective"),
                (lead.email, "lead of Harehills Women's Drama Collective (also staff)"),
                (f"supervisor@{DOMAIN}", "supervisor (counselling psychologist)"),
                (commissioner.email, "commissioner of the Leeds pool"),
                (admin.email, "platform administrator (Django admin at /admin/)"),
            ]:
                self.stdout.write(f"  {email:34} {role}")
            self.stdout.write("Demo accounts may skip two-factor authentication; real accounts may not.\n")

    def _organisations(self, lead: User, staff: User) -> list[Organisation]:
        organisations = []
        person_index = 0
        for index, (name, description, area, size, groups, community_slugs) in enumerate(ORGANISATIONS):
            organisation = Organisation.objects.filter(name=name).first()
            if organisation is None:
                organisation = Organisation.objects.create(
                    name=name, description=description, area=f"Leeds – {area}", staff_size=size, runs_group_work=groups
                )
                organisation.communities.set(Community.objects.filter(slug__in=community_slugs))
            organisations.append(organisation)
            if index == 0:
                Membership.objects.get_or_create(
                    organisation=organisation, user=lead, left_at=None, defaults={"is_lead": True}
                )
                Membership.objects.get_or_create(organisation=organisation, user=staff, left_at=None)
            # Three or four named staff for each organisation; the first leads the others.
            for position in range(3 if index % 3 else 4):
                first = FIRST_NAMES[person_index % len(FIRST_NAMES)]
                last = LAST_NAMES[person_index % len(LAST_NAMES)]
                person_index += 1
                user = _person(f"{first.lower()}.{last.lower()}{person_index}", first, last)
                Membership.objects.get_or_create(
                    organisation=organisation,
                    user=user,
                    left_at=None,
                    defaults={"is_lead": position == 0 and index != 0},
                )
        return organisations

    def _pool(
        self, commissioner: User, organisations: list[Organisation], name: str, hours: Decimal, rule: str
    ) -> Pool:
        pool = Pool.objects.filter(name=name).first()
        if pool is None:
            pool = create_pool(
                acting_user=commissioner,
                name=name,
                description="Pooled clinical supervision and monthly reflective practice for community mental health grantholders.",
                starts_on=datetime.date(2026, 4, 1),
                ends_on=datetime.date(2027, 3, 31),
                hours_budget=hours,
                money_budget=hours * Decimal("60"),
                hourly_rate=Decimal("60"),
                allocation_rule=rule,
            )
        for organisation in organisations:
            if PoolOrganisation.objects.filter(pool=pool, organisation=organisation).exists():
                continue
            lead_membership = Membership.objects.leads().filter(organisation=organisation).first()
            assert lead_membership is not None
            invitation, _ = create_invitation(
                InvitationKind.POOL_ORGANISATION, lead_membership.user.email, acting_user=commissioner, pool=pool
            )
            join_pool(invitation, organisation, acting_user=lead_membership.user)
        return pool
