"""What the API reads and writes. Output fields are the ones the pages already show the same
person; nothing here decides who may see an object (each app's access helpers do)."""

from __future__ import annotations

from rest_framework import serializers

from scheduling.models import SessionMode


class Problem(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()


class FreeTime(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()


# "errors" is also the name of a serializer's own property, so the field is declared by its key.
Problem._declared_fields["errors"] = serializers.DictField(
    child=serializers.ListField(child=serializers.CharField()), required=False
)
# A time that could not be booked: the next ones that can (as the booking page offers them).
Problem._declared_fields["next_free"] = FreeTime(many=True, required=False)


# --- Directory -------------------------------------------------------------------------------


class Supervisor(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")
    profession = serializers.CharField()
    professional_body = serializers.CharField()
    modalities = serializers.ListField(child=serializers.CharField())
    specialisms = serializers.ListField(child=serializers.CharField())
    offers = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    online = serializers.BooleanField()
    in_person_areas = serializers.ListField(child=serializers.CharField())
    group_work_experience = serializers.BooleanField()
    community_experience = serializers.BooleanField()
    hourly_rate = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
    bio = serializers.CharField()


class Slot(serializers.Serializer):
    starts_at = serializers.DateTimeField(source="start")
    ends_at = serializers.DateTimeField(source="end")
    minutes = serializers.IntegerField()


class Agreement(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    supervisor = serializers.IntegerField(source="supervisor_id")
    supervisor_name = serializers.CharField(source="supervisor.user.display_name")
    format = serializers.CharField()
    hours_per_month = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()


# --- Supervision sessions --------------------------------------------------------------------


class Booking(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    agreement = serializers.IntegerField(source="agreement_id")
    supervisor = serializers.IntegerField(source="supervisor_id")
    supervisor_name = serializers.CharField(source="supervisor.user.display_name")
    organisation = serializers.IntegerField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    minutes = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True)
    is_group = serializers.BooleanField()
    mode = serializers.CharField()
    status = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


class NewBooking(serializers.Serializer):
    agreement = serializers.IntegerField(min_value=1, max_value=2**62)
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField(min_value=15, max_value=8 * 60)
    # Who the session is for (staff of the agreement's organisation); the person booking if left out.
    attendees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**62), required=False, max_length=8
    )
    mode = serializers.ChoiceField(choices=SessionMode.choices, required=False)


class MovedBooking(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    minutes = serializers.IntegerField(min_value=15, max_value=8 * 60)


class Cancellation(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- Reflective groups -----------------------------------------------------------------------


class Group(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    pool = serializers.IntegerField(source="pool_id")
    title = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    # A wall-clock time in the group's time_zone (so not an RFC 3339 time, which carries an offset).
    start_time = serializers.CharField(help_text="HH:MM:SS on the clock of time_zone.")
    duration_minutes = serializers.IntegerField()
    time_zone = serializers.CharField()
    capacity = serializers.IntegerField()


class GroupSession(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    group = serializers.IntegerField(source="group_id")
    group_title = serializers.CharField(source="group.title")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()
    places_free = serializers.IntegerField(help_text="Places not yet taken (held offers aside).")


class _OfSession(serializers.Serializer):
    """A person's own row in a session: which session, of which group, when."""

    id = serializers.IntegerField(source="pk")
    session = serializers.IntegerField(source="session_id")
    group_title = serializers.CharField(source="session.group.title")
    starts_at = serializers.DateTimeField(source="session.starts_at")


class Place(_OfSession):
    organisation = serializers.IntegerField(source="organisation_id")
    status = serializers.CharField()
    booked_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)


class WaitlistEntry(_OfSession):
    status = serializers.CharField()
    joined_at = serializers.DateTimeField()
    offered_until = serializers.DateTimeField(allow_null=True)


class JoiningWaitlist(serializers.Serializer):
    # Take a freed place straight away, without being asked (as the session page's tick box).
    auto_accept = serializers.BooleanField(default=False)


# --- Organisations ---------------------------------------------------------------------------


class Organisation(serializers.Serializer):
    id = serializers.IntegerField(source="organisation.pk")
    name = serializers.CharField(source="organisation.name")
    area = serializers.CharField(source="organisation.area")
    you_lead = serializers.BooleanField(source="is_lead")


class Member(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    is_lead = serializers.BooleanField()
    joined_at = serializers.DateTimeField()
