"""Reports of a meetup: gather plain data, then build PDF / CSV / JSON bytes from it.

Three steps, strictly apart:

1. :mod:`meetup.reports.data` reads the database once and returns frozen dataclasses; no ORM
   object leaves it, and names of participants who did not consent are never read.
2. The builders (:mod:`~meetup.reports.pdf`, :mod:`~meetup.reports.followup_pdf`,
   :mod:`~meetup.reports.csv_export`, :mod:`~meetup.reports.json_export`,
   :mod:`~meetup.reports.decidim`) are pure functions of those dataclasses and return bytes.
3. The faces (the organiser's pages, the shared web report, ``meetup export``) send them.

Nothing in this package touches a request.
"""
