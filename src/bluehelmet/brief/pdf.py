"""HTML to print-quality A4 PDF with WeasyPrint, offline by construction; PDF pages to images.

WeasyPrint lays out the same HTML and CSS the browser shows (``@page`` rules give A4, margins,
running headers and page numbers), embeds the fonts it uses (DejaVu where installed) as subsets, and
keeps the SVG charts as vector graphics. The fetcher it is given accepts only ``data:`` URIs and
fails the render on anything else, so a PDF cannot be produced from a brief that would reach out
to the network.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from bluehelmet.errors import BluehelmetError


class BriefRenderError(BluehelmetError):
    """The brief could not be rendered to PDF (or its pages to images)."""


def write_pdf(html: str, path: str | Path) -> int:
    """Render ``html`` to an A4 PDF at ``path``.

    Parameters
    ----------
    html
        A self-contained HTML document (every resource a ``data:`` URI).
    path
        Where to write the PDF.

    Returns
    -------
    int
        Number of pages written.

    Raises
    ------
    BriefRenderError
        If WeasyPrint (or the Pango library it needs) is missing, or the document refers to
        anything that is not embedded.
    """
    try:
        import weasyprint
        from weasyprint.urls import FatalURLFetchingError, URLFetcher
    except (ImportError, OSError) as exc:  # OSError: the Pango shared library is missing
        raise BriefRenderError(
            f"cannot load WeasyPrint to write the PDF ({exc}); install it with "
            "'pip install weasyprint' and the Pango library (Debian: libpango-1.0-0), "
            "or use --no-pdf to write the HTML only"
        ) from exc
    fetcher = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)
    try:
        document = weasyprint.HTML(string=html, url_fetcher=fetcher).render()
    except FatalURLFetchingError as exc:
        raise BriefRenderError(
            f"the brief refers to a resource that is not embedded: {exc}; "
            "every image and style must be a data: URI"
        ) from exc
    from bluehelmet.io.write import atomic_file

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(Path(path)) as tmp:  # a kill leaves the old PDF or the new one
        document.write_pdf(str(tmp))
    return len(document.pages)


def pdf_page_count(path: str | Path) -> int:
    """Number of pages of a PDF, read back with pypdfium2 (independent of the writer)."""
    pdfium = _pdfium()
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def render_pages(
    path: str | Path, out_dir: str | Path, prefix: str = "brief-page", dpi: int = 80
) -> list[Path]:
    """Render every page of a PDF to ``<out_dir>/<prefix>-<n>.png`` (1-based), for docs and tests.

    Returns
    -------
    list of Path
        The images written, in page order.
    """
    pdfium = _pdfium()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(str(path))
    written: list[Path] = []
    try:
        for number, page in enumerate(document, start=1):
            image = page.render(scale=dpi / 72).to_pil()
            target = out / f"{prefix}-{number}.png"
            image.save(target, optimize=True)
            written.append(target)
            page.close()
    finally:
        document.close()
    return written


def _pdfium() -> ModuleType:
    try:
        import pypdfium2
    except ImportError as exc:
        raise BriefRenderError(
            "reading PDF pages needs pypdfium2: pip install pypdfium2 "
            "(it is in bluehelmet's 'test' extra)"
        ) from exc
    return pypdfium2
