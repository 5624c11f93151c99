"""Bundled real reference data: countries, the UN mission list, contributions, UCDP events.

Each loader reads the bundled file through the same importer users run on their own files, so
the known defects of the file are repaired (and recorded) exactly as documented in
``docs/importers.md``; see ``bluehelmet/datasets/reference/PROVENANCE.md`` for sources and
licences. Nothing is loaded at import time.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["contributions_by_year", "ucdp_events", "un_missions"]


def contributions_by_year(*, include_padding: bool = False) -> pd.DataFrame:
    """Uniformed personnel by contributing country x mission x year, 2010-2021 (real).

    Parameters
    ----------
    include_padding
        Keep the zero rows that pad the table to every country x mission x year.

    Returns
    -------
    pandas.DataFrame
        ``iso3, country, mission_id, year, women, men, total, padding, complete_year``.
        ``complete_year`` is False for years flagged as incomplete (2010, 2012, 2017 and 2021
        in the bundled file): plot them as gaps, not as drops.
    """
    from bluehelmet.io.contributions_year import read_contributions_by_year
    from bluehelmet.reference.files import reference_path

    table = read_contributions_by_year(
        reference_path("un_contributions_country_mission_year.csv")
    ).table
    if not include_padding:
        table = table[~table["padding"]].reset_index(drop=True)
    return table


def ucdp_events() -> pd.DataFrame:
    """The bundled UCDP GED 20.1 subset (1995-2014) in the :mod:`bluehelmet.io.ucdp` contract.

    Returns
    -------
    pandas.DataFrame
        ``event_id, year, date_start, longitude, latitude, where_description, country,
        type_of_violence, best, deaths_civilians`` (date, country and type are missing in the
        subset).
    """
    from bluehelmet.io.ucdp import read_ucdp
    from bluehelmet.reference.files import reference_path

    return read_ucdp(reference_path("ucdp_ged201_subset_1995_2014.csv")).table


def un_missions() -> pd.DataFrame:
    """Every UN peacekeeping operation 1948-2024 as ``missions`` records (real).

    The Data Hub file's defects are repaired on load (decimal commas, swapped coordinates);
    aggregate rows and the broken DOMREP row are left out (see ``bluehelmet data check``).
    """
    from bluehelmet.io.missions import read_missions
    from bluehelmet.reference.files import reference_path

    return read_missions(reference_path("un_psdh_missions.csv")).table
