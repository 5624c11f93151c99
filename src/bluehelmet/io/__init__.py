"""Importers for the files users really have, each validating and reporting every row.

- :mod:`bluehelmet.io.un_monthly` - UN monthly contributions by gender (both variants);
- :mod:`bluehelmet.io.missions` - the Peace and Security Data Hub mission list;
- :mod:`bluehelmet.io.un_rank` - the UN contributor ranking (contributors);
- :mod:`bluehelmet.io.contributions_year` - contributions by country x mission x year;
- :mod:`bluehelmet.io.ucdp` - UCDP GED events (full and subset);
- :mod:`bluehelmet.io.detect` - format detection and :func:`~bluehelmet.io.detect.import_file`;
- :mod:`bluehelmet.io.merge` - importing into a scenario folder;
- :mod:`bluehelmet.io.report` - the row accounting every importer returns;
- :mod:`bluehelmet.io.ledger` - how importers record repairs, rejects and warnings.
"""
