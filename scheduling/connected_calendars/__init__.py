"""Connected calendars: two-way sync with a supervisor's own calendar through one interface
(``interface.CalendarConnection``), one adapter per provider (docs/calendars.md)."""
