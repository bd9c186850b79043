"""The commissioner dashboard and the lead's summary (issue 8; docs/dashboard.md).

The one package that reads across ``reflect``, ``supervision`` and ``scheduling``; nothing
imports it except the root URLs. Every figure leaves ``dashboard.figures`` as a
:class:`dashboard.tables.Cell`, made by one function that applies the disclosure control to
every count of people (docs/architecture.md, on suppression) — pages and CSV exports render
those cells and nothing else. Rebalancing's suggestions are a pure function
(``dashboard.rebalancing``); ``dashboard.services`` confirms them.
"""
