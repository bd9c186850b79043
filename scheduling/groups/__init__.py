"""Reflective groups: everything about them but their models (scheduling/models/groups.py and
cohorts.py) and templates (templates/scheduling/). Guide: docs/groups.md.

The modules, each importing only those listed before it (no cycles):

    calendar        sessions as calendar events (the feed, e-mailed invitations)
    cohort_filling  filling cohorts from applications: pure, over plain data
    ranking         ranking groups for one person: pure
    access          which group pages a person may see (anything else is a 404)
    queries         reading groups and sessions for one person
    notices         what messages about a session say; the booker's confirmation
    eligibility     who may take a place, and when
    capacity        taking and giving back a place: the only code that counts places
    waitlist        joining, leaving, freed places passed on, offers taken or run out
    places          booking and cancelling a place
    cohorts         applying to a cohort, filling cohorts, booking members' places
    recurrence      sessions from the group's pattern, kept a year ahead
    session_changes moving or cancelling one session
    changes         creating a group, and changing one as it runs
    attendance      the facilitator's register
    forms, tasks, views/, urls
"""
