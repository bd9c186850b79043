"""Optional equality monitoring for staff, and the only way its answers leave: suppressed
totals (docs/equality.md)."""
