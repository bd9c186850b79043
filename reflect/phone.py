"""Mobile numbers as people type them, read by the ``phonenumbers`` library (Google's
libphonenumber) and kept in E.164 form, ``+447700900982`` (docs/security.md, "Phone numbers").

Whatever digits a person types (ASCII, Arabic-Indic, fullwidth), with spaces, dashes, brackets,
``+44`` or ``0``, the library reads them by its rules; what it calls impossible or invalid is
refused. Texts go through GOV.UK Notify to UK mobiles, so the number must be a UK mobile.
"""

from __future__ import annotations

import phonenumbers

# A number typed without a country code is read as a UK number.
DEFAULT_REGION = "GB"

# Ofcom keeps 07700 900000–900999 for drama: numbers that reach nobody. The library calls them
# invalid, but the help text, the demo and the tests use them for exactly that reason.
_DRAMA_PREFIX = "+447700900"

# The library refuses input longer than this itself; checked first so the work stays bounded.
MAX_TYPED = 40

# Besides digits of any script: what people put between them. Letters are refused, though the
# library would read them as a keypad's (0800 FLOWERS): nobody types a mobile number that way.
_SEPARATORS = frozenset(" +-().")


class NotAMobileNumber(ValueError):
    """The typed text is not a UK mobile number."""


def uk_mobile(typed: str) -> str:
    """The UK mobile number ``typed`` in E.164 form, or :class:`NotAMobileNumber`."""
    if len(typed) > MAX_TYPED or not all(ch.isdecimal() or ch in _SEPARATORS for ch in typed):
        raise NotAMobileNumber(typed)
    try:
        number = phonenumbers.parse(typed, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise NotAMobileNumber(typed) from error
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_possible_number(number) or number.country_code != 44:
        raise NotAMobileNumber(typed)
    if e164.startswith(_DRAMA_PREFIX) and len(e164) == len(_DRAMA_PREFIX) + 3:
        return e164
    if not phonenumbers.is_valid_number(number):
        raise NotAMobileNumber(typed)
    if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        raise NotAMobileNumber(typed)
    return e164
