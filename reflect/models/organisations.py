from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from reflect import text_limits


class Community(models.Model):
    """A community an organisation serves (the report's "What do we mean by complex")."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField("what the organisation does", max_length=text_limits.DESCRIPTION)
    communities = models.ManyToManyField(Community, blank=True, related_name="organisations")
    area = models.CharField(max_length=200, help_text="For example, a district of the city.")
    staff_size = models.PositiveIntegerField("number of staff and regular volunteers")
    runs_group_work = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [text_limits.length_constraint("description", text_limits.DESCRIPTION)]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# Who is staff of an organisation *now*, and who leads it now, decides what a person may see and
# do almost everywhere (access, bookings, eligibility, notices, figures). The rule is written
# once, here: a membership is current while it has no ``left_at`` (leaving keeps the row as
# history), and a current lead is a current membership with ``is_lead``. A change to it (a
# membership that starts or ends on a date, say) is then one edit, not sixty. Query through
# ``Membership.objects.current()`` / ``.leads()``, or, through a relation, with the Q below.


def current_membership(through: str = "", **lookups: Any) -> Q:
    """The Q for a current membership, reached through the relation path ``through`` (for example
    "memberships" from a person or an organisation, "organisation__memberships" from an
    agreement; "" on Membership itself). ``lookups`` are further conditions on *the same*
    membership, named under the same path (``user=person``): in one Q they hold of one row, where
    two ``filter()`` calls across a many-valued relation could each match a different one."""
    prefix = f"{through}__" if through else ""
    return Q(**{prefix + name: value for name, value in {"left_at__isnull": True, **lookups}.items()})


def current_lead(through: str = "", **lookups: Any) -> Q:
    """As ``current_membership``, for a current membership that is its organisation's lead."""
    return current_membership(through, is_lead=True, **lookups)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> Self:
        """The memberships people hold now (``current_membership``)."""
        return self.filter(current_membership())

    def leads(self) -> Self:
        """The current memberships that lead their organisation (``current_lead``)."""
        return self.filter(current_lead())


class Membership(models.Model):
    """A person's place in an organisation: staff, and possibly its lead."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    is_lead = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "user__first_name"]
        constraints = [
            # One current membership per person and organisation; past ones stay as history.
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=current_membership(),
                name="one_current_membership",
            ),
        ]

    def __str__(self) -> str:
        role = "lead" if self.is_lead else "staff"
        return f"{self.user} ({role}, {self.organisation})"

    @property
    def is_current(self) -> bool:
        return self.left_at is None
