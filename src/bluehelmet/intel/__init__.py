"""Peacekeeping-intelligence: reports, fusion into incidents, hotspots and early warning.

Every function that returns reports, incidents, aggregates, hotspots or exports takes the reader's
:class:`~bluehelmet.model.access.AccessContext` and passes the reports through the gate
(:func:`bluehelmet.intel.reports.for_reader`: need to know, protected columns, an audit line)
before anything is fused, counted or written.
"""
