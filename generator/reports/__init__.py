"""The reports the bureau's staff read beside the catalogue: time limits, the annual report, the archive.

    compliance.py   公开时限: each item against its deadline, per department (`compliance`)
    workdays.py     the working-day calendar the deadlines are counted on
    annual.py       年度报告 figures (`annual-report`, /dashboard/annual/<year>/)
    dashboard.py    the intranet's /dashboard/ and annual pages; `compliance --format html`
    charts.py       the dashboard's inline SVG bar charts
    archive.py      归档: items that left the catalogue, as a zip (`archive`)

Imports only go one way: workdays <- compliance <- annual, compliance <- charts,
annual and charts <- dashboard; archive needs none of them. Whether an item was
published is never decided here but by visibility.was_published.
"""
