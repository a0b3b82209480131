"""Onboarding: starting an organisation, inviting its people, managing who is in it and with
which role, and the first-run checklist (issue #25).

A Django app of its own inside the core package (label "onboarding"), so its tables and
migrations stay apart from the core's: models.py (the rows), invitations.py and people.py
(the services every view and command calls), hooks.py (what apps contribute: open work to
reassign, checklist items), checklist.py (the dashboard panel), views.py and urls.py.
"""
