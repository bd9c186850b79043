"""What a personal access token may do: read or write, one resource group at a time.

A scope is ``<group>:<read|write>``; ``write`` includes ``read`` of the same group. The groups
follow the pages a person already uses, so a token never reaches further than its owner could
in the browser: the owner's own access rules still apply to every object (docs/api.md).
"""

from __future__ import annotations

import enum


class ResourceGroup(enum.StrEnum):
    DIRECTORY = "directory"
    SUPERVISION = "supervision"
    GROUPS = "groups"
    ORGANISATIONS = "organisations"
    USAGE = "usage"


GROUP_LABELS = {
    ResourceGroup.DIRECTORY: "Supervisors and their free times",
    ResourceGroup.SUPERVISION: "Supervision sessions (book, move, cancel)",
    ResourceGroup.GROUPS: "Reflective groups, places and waitlists",
    ResourceGroup.ORGANISATIONS: "Your organisations and their staff",
    ResourceGroup.USAGE: "Your pools' usage figures (commissioners)",
}

# The directory is read-only: there is nothing in it to write.
WRITABLE = (ResourceGroup.SUPERVISION, ResourceGroup.GROUPS)

ALL_SCOPES = [f"{group}:read" for group in ResourceGroup] + [f"{group}:write" for group in WRITABLE]


def grants(scopes: list[str], group: ResourceGroup, *, write: bool) -> bool:
    """Whether a token's scopes allow reading (or writing) this resource group."""
    if f"{group}:write" in scopes:
        return True
    return not write and f"{group}:read" in scopes


def scope_label(scope: str) -> str:
    group, _, level = scope.partition(":")
    return f"{GROUP_LABELS[ResourceGroup(group)]}: {'read and write' if level == 'write' else 'read'}"
