"""Briefings: one self-contained HTML page and an A4 PDF from a scenario and its force plan.

:func:`~bluehelmet.brief.assemble.build_brief` runs the plan and gathers every statistic the
brief shows; :func:`~bluehelmet.brief.render.render_html` places them in the template;
:func:`~bluehelmet.brief.pdf.write_pdf` prints the page to PDF offline.
"""
