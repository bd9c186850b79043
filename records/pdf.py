"""A signed copy of a supervision record as a PDF, with fpdf2 (as supervision/pdf.py does).

Laid out like the bodies' audit logs: each session with its date, format, the number in the
group, the minutes, the minutes claimable and whether it was countersigned; then each month
against the minimum; then the CPD log; and at the foot the hash and the address where anyone
can check it. Never notes, never the supervisors' names (the copy is made to be shared).

Everything printed comes from the signed copy's contents, the CPD log included, so nothing on
the page is outside what the hash and the verification page cover.
"""

from __future__ import annotations

import datetime
from typing import Any

from fpdf import FPDF

from records.summary import minutes_words
from reflect import wording
from supervision.pdf import _latin1


def _day(iso: str) -> str:
    return wording.short_date(datetime.date.fromisoformat(iso))


def _row(pdf: FPDF, widths: list[float], cells: list[str], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 8.5)
    for width, text in zip(widths, cells, strict=True):
        pdf.cell(width, 5.5, _latin1(text), border=1)
    pdf.ln(5.5)


def record_pdf(payload: dict[str, Any], *, digest: str, verify_url: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(14, 14, 14)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_title("Supervision record")
    pdf.set_creator("Reflect")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 8, "Supervision record", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    holder = payload["holder"] or "(name not shared)"
    body = payload["body"]
    lines = [
        f"Practitioner: {holder}",
        f"Counted for: {body['name']} (rules of {body['rule_version']})",
        f"Issued: {wording.moment(datetime.datetime.fromisoformat(payload['issued_at']))}",
    ]
    for line in lines:
        pdf.cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Sessions", new_x="LMARGIN", new_y="NEXT")
    widths = [26.0, 52.0, 24.0, 24.0, 30.0, 26.0]
    _row(pdf, widths, ["Date", "Format", "Supervisees", "Minutes", "Minutes claimable", "Countersigned"], bold=True)
    for e in payload["entries"]:
        _row(
            pdf,
            widths,
            [_day(e["date"]), e["format"], str(e["supervisees"]), str(e["minutes"]), str(e["claimable_minutes"]),
             "Yes" if e["countersigned"] else "No"],
        )  # fmt: skip
    if not payload["entries"]:
        pdf.cell(0, 6, "No sessions in this record.", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 6, "Months", new_x="LMARGIN", new_y="NEXT")
    widths = [30.0, 40.0, 40.0, 40.0]
    _row(pdf, widths, ["Month", "Minutes claimable", "Minimum", "Meets it"], bold=True)
    for m in payload["months"]:
        meets = {True: "Yes", False: "No", None: "No minimum"}[m["meets_minimum"]]
        minimum = "-" if m["minimum_minutes"] is None else str(m["minimum_minutes"])
        month = wording.month(datetime.date.fromisoformat(m["month"] + "-01"))
        _row(pdf, widths, [month, str(m["claimable_minutes"]), minimum, meets])
    cpd = payload.get("cpd", [])
    if cpd:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, "CPD log", new_x="LMARGIN", new_y="NEXT")
        for activity in cpd:
            pdf.set_font("Helvetica", "B", 9)
            heading = f"{_day(activity['date'])}: {activity['activity']} ({minutes_words(activity['minutes'])})"
            pdf.multi_cell(0, 5, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "", 8.5)
            pdf.multi_cell(0, 4.5, _latin1(f"What I learnt: {activity['learnt']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _latin1(
            "The sessions, months and CPD log above are signed by Reflect. Check this copy at the address below: "
            "the page shows the same hash, which sessions were countersigned and the CPD log as signed."
            f"\nSHA-256: {digest}\nCheck it at: {verify_url}"
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
