"""The commissioner dashboard and the lead's summary (issue 8, DESIGN.md §3, §4, §7).

The one package that reads across ``reflect``, ``supervision`` and ``scheduling``; nothing
imports it except the root URLs. Every figure leaves ``dashboard.queries`` as a
:class:`dashboard.tables.Cell`, made by one function that applies the disclosure
control to every count of people — pages and CSV exports render those cells and nothing else.
"""
