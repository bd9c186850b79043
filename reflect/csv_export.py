"""The one CSV writer: every CSV the app serves is written here (docs/security.md, "CSV exports").

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula, so a name typed as ``=HYPERLINK(...)`` would run on the reader's machine.
OWASP's rule: such a text cell gets a leading single quote, and every text cell is quoted.

Text and numbers are told apart by type, not by look: a value the app produced as a number
(an ``int`` or a ``Decimal``) is written bare, so ``-12.50`` stays a number; everything else is
text, escaped and quoted. Code that has a number only as text (the dashboard's cells) turns it
back with :func:`number`, which accepts plain ASCII numerals only, so nothing typed by a person
can pass as a number.

Responses stream: each row is written as the client reads it, so a national-scale table of
thousands of rows is never held as one string, and the first bytes leave at once.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse

# A text cell starting with one of these would run as a formula in a spreadsheet (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What the app itself writes as a number: digits, maybe a sign and a decimal point. ASCII
# only (``\d`` would also take other scripts' digits).
_NUMERAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")

CsvValue = str | int | Decimal | datetime.date | None


def number(text: str) -> Decimal | str:
    """``text`` as a number when it is a plain numeral the app wrote, else the text itself
    (which the writer then escapes like any other text): "-12.50" → Decimal("-12.50");
    "*" (a suppressed count) or "" stay text."""
    return Decimal(text) if _NUMERAL.fullmatch(text) else text


def spreadsheet_safe(text: str) -> str:
    """Text as a spreadsheet will show but never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: CsvValue) -> str | int | Decimal:
    if isinstance(value, bool):  # a bool is an int to Python, but it is not a figure
        return str(value)
    if isinstance(value, int | Decimal):
        return value
    if value is None:
        return ""
    if isinstance(value, datetime.date):  # a datetime is a date too
        return value.isoformat()
    return spreadsheet_safe(str(value))


class _Line:
    """A file whose ``write`` hands back what it is given: csv.writer formats a row into it, and
    the response streams the line."""

    def write(self, line: str) -> str:
        return line


def csv_response(filename: str, rows: Iterable[Sequence[CsvValue]]) -> StreamingHttpResponse:
    """A CSV download, streamed row by row. ``filename`` is the app's own (never typed by a person)."""
    # QUOTE_NONNUMERIC quotes every field that is not a number (by type): all text is quoted.
    writer = csv.writer(_Line(), quoting=csv.QUOTE_NONNUMERIC)
    response = StreamingHttpResponse(
        (writer.writerow([_cell(value) for value in row]) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
