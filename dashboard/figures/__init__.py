"""Every figure of the commissioner dashboard and the lead's summary, by database aggregation;
one module per question the page answers (docs/dashboard.md):

- :mod:`.selection`: the pool, filters and moment asked about, and the ledger's sums for each
  organisation, read once and shared by every question;
- :mod:`.money`: allocation against use, by organisation and by month (and the chart);
- :mod:`.supervision`: sessions, agreements and supervisors' capacity;
- :mod:`.groups`: reflective groups' sessions, places and waitlists;
- :mod:`.equity`: access and equity — quiet organisations, first sessions, communities;
- :mod:`.outcomes`: the questionnaire's outcomes and the check-ins' averages;
- :mod:`.moves`: the figures rebalancing reads (the moves are :mod:`dashboard.rebalancing`'s);
- :mod:`.pool`: :class:`~.pool.PoolFigures`, the page, assembled from the above;
- :mod:`.exports`: the tables downloadable as CSV;
- :mod:`.lead_summary`: the lead's summary of their own organisation.

A constant number of queries whatever the size of the pool (docs/performance.md): each query
groups or aggregates in the database; Python only joins a few hundred grouped rows by key.
Every figure leaves as a :class:`~dashboard.tables.Cell` made by
:func:`~dashboard.tables.present`, which discloses every count of people (suppression:
docs/architecture.md).

Hours, as the ledger records them (issue 6): a booking *reserves* its hours, a cancellation in
time *releases* them, attendance, a late cancellation or a no-show *consumes* them. So the
hours still reserved are reserved − released − consumed, and what remains of an allocation is
allocated − consumed − still reserved: :func:`reflect.services.ledger.balance_from`, the formula
the booking service checks a booking against, so the two never disagree.
"""
