"""Reflective-group pages, one module per family: sessions (staff find and book), register
(facilitators), manage (commissioners), cohorts (applying and filling), totals (leads)."""
