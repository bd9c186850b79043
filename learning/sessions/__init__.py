"""Learning sessions and external courses (issue 23, part B; docs/learning.md, "Learning sessions").

A learning session is a reflective group whose purpose is learning: its places, waitlist,
reminders, calendar invitations and register are the group machinery's own
(scheduling/groups/). This package adds only what learning needs around it: the topics a
session is for, external courses, telling the people who asked, the need met on attendance, and
the attendees' unattributable answer to whether it met their need.
"""
