from reflect.models.audit import AuditEvent
from reflect.models.invitations import Invitation
from reflect.models.ledger import LedgerEntry, LedgerMonth
from reflect.models.notifications import Notification
from reflect.models.organisations import Community, Membership, Organisation, current_lead, current_membership
from reflect.models.people import ContactPreferences, MeetingPreference, User
from reflect.models.pools import Pool, PoolCommissioner, PoolOrganisation

__all__ = [
    "AuditEvent",
    "Community",
    "ContactPreferences",
    "Invitation",
    "LedgerEntry",
    "LedgerMonth",
    "MeetingPreference",
    "Membership",
    "Notification",
    "Organisation",
    "Pool",
    "PoolCommissioner",
    "PoolOrganisation",
    "User",
    "current_lead",
    "current_membership",
]
