"""Peacekeeping-intelligence: reports, fusion into incidents, hotspots and early warning.

Every function that fuses, counts or exports reports takes a
:class:`~bluehelmet.intel.view.ReportView`: the reports one reader may see, obtained from a
store's ``view(reader)`` (or :class:`~bluehelmet.intel.view.ReportTable` for reports in memory),
which applied the gate (need to know, protected columns, an audit line). ``mypy`` refuses a raw
table where a view is expected.
"""
