"""The path converter for object ids in every address (docs/security.md, "Hostile input").

Django's ``int`` converter takes any run of digits, and an id beyond the database's 64-bit
integers then fails inside the database driver (SQLite: "Python int too large to convert to
SQLite INTEGER") as a server error. Ids here are at most 18 digits, below 2**63, so a longer
one simply matches no address: the 404 any missing object gets.
"""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
