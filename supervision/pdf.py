"""The clinician brief as a PDF, with fpdf2 (pure Python: no browser or system library)."""

from __future__ import annotations

from fpdf import FPDF

from supervision.brief import Brief

# fpdf2's built-in fonts are Latin-1; these are the few characters our text uses beyond it.
_PLAIN = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "…": "..."})


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def brief_pdf(brief: Brief) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(16, 14, 16)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_title(_latin1(brief.title))
    pdf.set_creator("Reflect")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, _latin1(brief.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 4.5, _latin1(brief.intro), new_x="LMARGIN", new_y="NEXT")
    for section in brief.sections:
        pdf.ln(1.5)
        pdf.set_font("Helvetica", "B", 10.5)
        pdf.multi_cell(0, 5.5, _latin1(section.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 8.5)
        for line in section.lines:
            pdf.multi_cell(0, 4.2, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(0, 4, _latin1(brief.footer), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
