"""Scheduling models, one module per area (the lead reconciles packages from other branches)."""

from scheduling.models.groups import (
    GroupKind,
    GroupSession,
    GroupStatus,
    Place,
    PlaceStatus,
    ReflectiveGroup,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)

__all__ = [
    "GroupKind",
    "GroupSession",
    "GroupStatus",
    "Place",
    "PlaceStatus",
    "ReflectiveGroup",
    "SessionStatus",
    "WaitlistEntry",
    "WaitlistStatus",
]
