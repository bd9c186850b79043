"""Registration numbers: the shape each professional body issues, checked before an admin
verifies the number against the body's public register (a shape check is not verification)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from supervision.enums import ProfessionalBody


@dataclass(frozen=True)
class Shape:
    pattern: re.Pattern[str]
    described: str  # shown when a number does not fit


SHAPES: dict[str, Shape] = {
    ProfessionalBody.BACP: Shape(re.compile(r"\d{5,8}"), "5 to 8 digits, for example 012345"),
    ProfessionalBody.UKCP: Shape(re.compile(r"\d{5,10}"), "5 to 10 digits, for example 2009123456"),
    # Practitioner psychologists are registered with the HCPC under the PYL prefix.
    ProfessionalBody.BPS_HCPC: Shape(re.compile(r"PYL\d{5,6}"), "PYL and 5 or 6 digits, for example PYL012345"),
    ProfessionalBody.NMC: Shape(
        re.compile(r"\d{2}[A-Z]\d{4}[A-Z]"), "2 digits, a letter, 4 digits and a letter, for example 12A3456B"
    ),
    ProfessionalBody.HCPC: Shape(
        re.compile(r"[A-Z]{2,3}\d{5,6}"), "a 2 or 3 letter prefix and 5 or 6 digits, for example PYL012345 or OT12345"
    ),
    ProfessionalBody.SOCIAL_WORK_ENGLAND: Shape(re.compile(r"SW\d{1,6}"), "SW and up to 6 digits, for example SW12345"),
    # Art and drama therapists are registered with the HCPC under the AS prefix.
    ProfessionalBody.BAAT_BADTH: Shape(
        re.compile(r"AS\d{5,6}"), "AS and 5 or 6 digits (the HCPC arts therapist number), for example AS12345"
    ),
    ProfessionalBody.OTHER: Shape(re.compile(r"[A-Z0-9/-]{3,30}"), "3 to 30 letters, digits, / or -"),
}


def normalise(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def shape_error(body: str, number: str) -> str | None:
    """None when the number fits the body's shape; otherwise the message saying what fits."""
    shape = SHAPES[body]
    if shape.pattern.fullmatch(normalise(number)):
        return None
    return f"{ProfessionalBody(body).label} registration numbers are {shape.described}"
