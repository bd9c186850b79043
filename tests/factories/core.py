"""Factories for the core models. Each creates a valid object with believable values."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone

from reflect.enums import AllocationRule
from reflect.models import Membership, Organisation, Pool, PoolCommissioner, PoolOrganisation, User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Sequence(lambda n: f"Person{n}")
    last_name = "Example"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)

    @factory.post_generation
    def staff_two_factor(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Platform staff have two-factor authentication, as the admin requires (docs/security.md)."""
        if create and self.is_staff:
            give_two_factor(self)


class OrganisationFactory(factory.django.DjangoModelFactory):
    """``OrganisationFactory(in_pool=pool)`` makes an organisation of that pool."""

    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Community Group {n}")
    description = "Weekly peer support groups."
    area = "Leeds – Harehills"
    staff_size = 4
    runs_group_work = True

    @factory.post_generation
    def in_pool(self, create: bool, pool: Pool | None, **kwargs: object) -> None:
        if create and pool is not None:
            add_to_pool(pool, self)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    is_lead = False


class PoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pool

    name = factory.Sequence(lambda n: f"Pool {n}")
    starts_on = datetime.date(2026, 4, 1)
    ends_on = datetime.date(2027, 3, 31)
    hours_budget = Decimal("100.00")
    money_budget = Decimal("6000.00")
    hourly_rate = Decimal("60.00")
    allocation_rule = AllocationRule.EQUAL

    class Params:
        # ``PoolFactory(from_this_month=True)``: twelve whole months from this month.
        from_this_month = factory.Trait(
            starts_on=factory.LazyFunction(lambda: timezone.localdate().replace(day=1)),
            ends_on=factory.LazyAttribute(lambda pool: a_year_on(pool.starts_on)),
        )


def a_year_on(start: datetime.date) -> datetime.date:
    """The last day of the twelve months from ``start``."""
    return start.replace(year=start.year + 1) - datetime.timedelta(days=1)


def run_from_this_month(pool: Pool) -> Pool:
    """Make ``pool`` run twelve whole months from this month, so sums over its months do not
    depend on the day the tests run."""
    pool.starts_on = timezone.localdate().replace(day=1)
    pool.ends_on = a_year_on(pool.starts_on)
    pool.save()
    return pool


def staff_of(organisation: Organisation, *, lead: bool = False, **user_fields: object) -> User:
    """A new member of the organisation's staff (its lead with ``lead=True``); ``user_fields``
    such as ``first_name`` go to the person."""
    membership = MembershipFactory(
        organisation=organisation, is_lead=lead, **{f"user__{k}": v for k, v in user_fields.items()}
    )
    return membership.user


def approved_commissioner(**user_fields: object) -> User:
    """A person an administrator has approved to create pools (reflect/services/commissioners.py)."""
    return UserFactory(commissioner_approved_at=timezone.now(), **user_fields)


def make_commissioner(pool: Pool, user: User | None = None) -> User:
    user = user or UserFactory()
    # Whoever commissions a pool was approved to create one (reflect/services/commissioners.py).
    if user.commissioner_approved_at is None:
        user.commissioner_approved_at = timezone.now()
        user.save(update_fields=["commissioner_approved_at"])
    PoolCommissioner.objects.create(pool=pool, user=user)
    return user


def add_to_pool(pool: Pool, organisation: Organisation) -> PoolOrganisation:
    return PoolOrganisation.objects.create(pool=pool, organisation=organisation)


def give_two_factor(user: User) -> str:
    """Activate a TOTP authenticator for the user, as allauth does; returns the secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    # Idempotent: facilitators and staff are made with it, and tests may sign them in again.
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def signed_in(client: Client, user: User) -> Client:
    """The test client signed in as ``user``, who has two-factor authentication (as the pages of
    commissioners and supervisors require)."""
    give_two_factor(user)
    client.force_login(user)
    return client
