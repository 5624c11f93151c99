"""Peacekeeping-intelligence: reports, fusion into incidents, hotspots and early warning.

Every function that returns reports, incidents, aggregates, hotspots or exports takes the reader's
:class:`~bluehelmet.model.access.AccessContext` and filters with
:func:`~bluehelmet.model.access.visible` before anything is fused, counted or written.
"""
