"""Bundled real reference data: countries, the UN mission list, contributions, UCDP events.

Import the submodules (``bluehelmet.reference.countries`` ...); nothing is loaded until used.
"""
