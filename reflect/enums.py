from django.db import models


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "Text message"
    LETTER = "letter", "Letter"


class AllocationRule(models.TextChoices):
    EQUAL = "equal", "Equal share for every organisation"
    STAFF_WEIGHTED = "staff_weighted", "Weighted by each organisation's staff numbers"
    MANUAL = "manual", "Set by hand for each organisation"


class InvitationKind(models.TextChoices):
    POOL_ORGANISATION = "pool_organisation", "Organisation to a pool"
    ORGANISATION_STAFF = "organisation_staff", "Staff member to an organisation"


class LedgerKind(models.TextChoices):
    # Hours and money (docs/architecture.md: the usage ledger).
    ALLOCATED = "allocated", "Hours allocated"
    RESERVED = "reserved", "Hours reserved"
    RELEASED = "released", "Hours released"
    CONSUMED = "consumed", "Hours consumed"
    # Countable events: reflective-group places, waitlists, sessions, assessments.
    PLACE_BOOKED = "place_booked", "Place booked"
    PLACE_CANCELLED = "place_cancelled", "Place cancelled"
    PLACE_ATTENDED = "place_attended", "Place attended"
    PLACE_MISSED = "place_missed", "Place missed"
    WAITLIST_JOINED = "waitlist_joined", "Waitlist joined"
    WAITLIST_OFFERED = "waitlist_offered", "Waitlist place offered"
    WAITLIST_TAKEN = "waitlist_taken", "Waitlist place taken"
    SESSION_HELD = "session_held", "Session held"
    # Supervision sessions (1:1 or group supervision), counted once each; their hours are
    # the RESERVED / RELEASED / CONSUMED entries above.
    SUPERVISION_BOOKED = "supervision_booked", "Supervision session booked"
    SUPERVISION_CANCELLED = "supervision_cancelled", "Supervision session cancelled in time"
    SUPERVISION_LATE_CANCELLED = "supervision_late_cancelled", "Supervision session cancelled late"
    SUPERVISION_HELD = "supervision_held", "Supervision session held"
    SUPERVISION_NO_SHOW = "supervision_no_show", "Supervision session missed (no-show)"
    ASSESSMENT_COMPLETED = "assessment_completed", "Needs assessment completed"
    ORGANISATION_JOINED = "organisation_joined", "Organisation joined the pool"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
