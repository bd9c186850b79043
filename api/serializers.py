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
        child=serializers.IntegerField(min_value=1, max_value=2**62),
        required=False,
        max_length=8,
        help_text=(
            "Who the session is for: people's ids, as the id of each member in "
            "GET /organisations/{id}/members/. Left out: the person booking."
        ),
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
    # The person's id, not their membership's: the one id a client is given for a person, and
    # the one a new booking's ``attendees`` take.
    id = serializers.IntegerField(
        source="user_id",
        help_text="The person's id: give it in a new booking's attendees to book a session for them.",
    )
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    is_lead = serializers.BooleanField()
    joined_at = serializers.DateTimeField()


# --- Pool usage (commissioners) ---------------------------------------------------------------


class UsageHeadline(serializers.Serializer):
    text = serializers.CharField(help_text="As the dashboard shows it: “70 hours”, “15 people”, or “*”.")
    hint = serializers.CharField()
    suppressed = serializers.BooleanField()


class UsageTable(serializers.Serializer):
    key = serializers.CharField(help_text="The dashboard's CSV export of the same table: <key>.csv.")
    caption = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="Each cell as the CSV export writes it; “*” where the dashboard hides a count of people.",
    )
    total = serializers.ListField(child=serializers.CharField(allow_blank=True), allow_null=True)
    note = serializers.CharField(allow_blank=True)


class UsagePool(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PoolUsage(serializers.Serializer):
    pool = UsagePool()
    headlines = serializers.ListField(child=UsageHeadline())
    tables = serializers.ListField(child=UsageTable())


# "from" is a Python keyword: the period's two fields are declared by their keys.
PoolUsage._declared_fields["from"] = serializers.CharField(help_text="The period's first month, YYYY-MM.")
PoolUsage._declared_fields["to"] = serializers.CharField(help_text="The period's last month, YYYY-MM.")


# --- The questionnaire (no account needed) -----------------------------------------------------


class AnswerOption(serializers.Serializer):
    value = serializers.CharField()


# "label" is also a serializer's own attribute: these fields are declared by their keys, first.
for _serializer in (UsageHeadline, AnswerOption):
    _serializer._declared_fields = {"label": serializers.CharField(), **_serializer._declared_fields}


class BankQuestion(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    hint = serializers.CharField(allow_blank=True)
    why_we_ask = serializers.CharField(allow_blank=True)
    kind = serializers.ChoiceField(choices=["single", "multiple", "number", "yes_no"])
    options = AnswerOption(many=True)


# "required" is also a serializer's own attribute, so the field is declared by its key.
BankQuestion._declared_fields["required"] = serializers.BooleanField()


class BankSection(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField(allow_blank=True)
    questions = BankQuestion(many=True)


class QuestionBank(serializers.Serializer):
    version = serializers.IntegerField()
    sections = BankSection(many=True)


PERIOD_RANGE = "Enter a period between 1 and 60 months."


class QuestionnaireSubmission(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="By question key: an option's value, a list of them (for “multiple”), or a whole number.",
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version answered; refused if it is no longer the current one."
    )
    organisation_name = serializers.CharField(required=False, allow_blank=True, default="")
    about = serializers.CharField(required=False, allow_blank=True, default="")
    months = serializers.IntegerField(
        required=False,
        default=12,
        min_value=1,
        max_value=60,
        help_text="The bid's period, in months.",
        # The costing's own words (supervision.scoring.cost), which the page shows.
        error_messages={
            "invalid": "Enter the period as a whole number of months, like 12.",
            **{key: PERIOD_RANGE for key in ("min_value", "max_value", "max_string_length")},
        },
    )
    rate = serializers.CharField(
        required=False, default="60", max_length=12, help_text="The hourly rate in pounds, like 60 or 62.50."
    )


class FiredReason(serializers.Serializer):
    question = serializers.CharField()
    answer = serializers.CharField()
    reason = serializers.CharField()
    effect = serializers.CharField(allow_blank=True)


class SupervisionFormat(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    frequency = serializers.CharField()
    hours_per_year = serializers.CharField()


class BidLines(serializers.Serializer):
    lines = serializers.ListField(child=serializers.CharField())
    total = serializers.CharField()
    text = serializers.CharField(allow_blank=True)


class BriefSection(serializers.Serializer):
    heading = serializers.CharField()
    lines = serializers.ListField(child=serializers.CharField())


class ClinicianBrief(serializers.Serializer):
    title = serializers.CharField()
    intro = serializers.CharField()
    sections = BriefSection(many=True)
    footer = serializers.CharField()
    text = serializers.CharField()


class QuestionnaireResult(serializers.Serializer):
    version = serializers.IntegerField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    hours_per_year = serializers.CharField()
    reasons = FiredReason(many=True)
    formats = SupervisionFormat(many=True)
    specialisms = serializers.ListField(child=serializers.CharField())
    bid = BidLines()
    brief = ClinicianBrief()
