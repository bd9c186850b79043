from __future__ import annotations

import pytest

from supervision.registration import normalise, shape_error


@pytest.mark.parametrize(
    ("body", "number"),
    [
        ("bacp", "012345"),
        ("ukcp", "2009123456"),
        ("bps_hcpc", "PYL012345"),
        ("nmc", "12A3456B"),
        ("hcpc", "OT12345"),
        ("hcpc", "pyl 012345"),
        ("swe", "SW12345"),
        ("baat_badth", "AS12345"),
        ("other", "ABC-123"),
    ],
)
def test_numbers_in_their_body_shape_are_accepted(body, number):
    assert shape_error(body, number) is None


@pytest.mark.parametrize(
    ("body", "number", "message"),
    [
        ("bacp", "BACP12", "BACP registration numbers are 5 to 8 digits, for example 012345"),
        (
            "nmc",
            "123456",
            "NMC registration numbers are 2 digits, a letter, 4 digits and a letter, for example 12A3456B",
        ),
        ("swe", "12345", "Social Work England registration numbers are SW and up to 6 digits, for example SW12345"),
        ("bps_hcpc", "OT12345", "BPS/HCPC registration numbers are PYL and 5 or 6 digits, for example PYL012345"),
        (
            "hcpc",
            "12345",
            "HCPC registration numbers are a 2 or 3 letter prefix and 5 or 6 digits, for example PYL012345 or OT12345",
        ),
    ],
)
def test_a_wrong_shape_is_refused_with_the_expected_shape(body, number, message):
    assert shape_error(body, number) == message


def test_normalise_removes_spaces_and_uppercases():
    assert normalise(" pyl 01 2345 ") == "PYL012345"
