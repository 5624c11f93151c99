"""The brief as one self-contained HTML page: Jinja2 templates, formatting filters, offline check.

Templates only place and format numbers; every number arrives in the context from a statistics
function (see :mod:`bluehelmet.brief.assemble`). The filters below format, they never compute.
Cells that carry a number also carry it unformatted in ``data-value`` with the name of the
statistic in ``data-stat``, so that a test (or a reader's tool) can check the page against the
library.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import jinja2
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup

from bluehelmet.brief.i18n import LOCALES, chart_words, check_language, translations

_URL_ATTRS = {"src", "href", "srcset", "poster", "data", "action", "xlink:href", "background"}
_CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage (``0.0525`` -> ``5.3%``); a dash when missing."""
    return "\u2013" if _missing(value) else f"{100 * float(value):.{digits}f}%"


def fmt_num(value: Any, digits: int = 0) -> str:
    """A number with thousands separators; a dash when missing."""
    if _missing(value):
        return "\u2013"
    return f"{float(value):,.{digits}f}"


def fmt_usd(value: Any) -> str:
    """US dollars, scaled: ``$1.23 m``, ``$4.5 bn``, ``$950 k``; a dash when missing."""
    if _missing(value):
        return "\u2013"
    v = float(value)
    sign = "-" if v < 0 else ""
    v = abs(v)
    if v >= 1e9:
        return f"{sign}${v / 1e9:.2f} bn"
    if v >= 1e6:
        return f"{sign}${v / 1e6:.1f} m"
    if v >= 1e3:
        return f"{sign}${v / 1e3:.0f} k"
    return f"{sign}${v:.0f}"


def fmt_month(value: Any) -> str:
    """A date as ``Jul 2018``; a dash when missing."""
    return "\u2013" if _missing(value) else pd.Timestamp(value).strftime("%b %Y")


def fmt_date(value: Any) -> str:
    """A date as ISO ``2018-07-31``; a dash when missing."""
    return "\u2013" if _missing(value) else pd.Timestamp(value).date().isoformat()


def css_string(value: Any) -> Markup:
    """Text made safe inside a double-quoted CSS string in a ``<style>`` element.

    Quotes, backslashes and the characters HTML would escape become CSS escapes, so the result
    needs (and gets) no HTML escaping.
    """
    # Markup (a translated message, a joined string) is HTML: its entities become characters.
    text = value.unescape() if isinstance(value, Markup) else str(value)
    out = []
    for ch in text:
        if ch in "\"\\<>&'" or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup("".join(out))


def raw_value(value: Any) -> str:
    """The unformatted value for a ``data-value`` attribute (full precision, '' when missing)."""
    if _missing(value):
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _french(number: str) -> str:
    """English digits ``1,234.5`` written the French way (``1\u202f234,5``)."""
    return number.replace(",", "\u202f").replace(".", ",")


def localised_filters(lang: str) -> dict[str, Callable[..., str]]:
    """The number and date filters for ``lang``: the same values, the language's notation.

    English keeps the formats of :func:`fmt_num` and its siblings; French writes ``1 234,5``,
    ``12,3 %``, ``3,4 M$`` and ``juil. 2018`` (Babel's CLDR data for dates).
    """
    if check_language(lang) == "en":
        return {"pct": fmt_pct, "num": fmt_num, "usd": fmt_usd, "month": fmt_month}
    locale = LOCALES[lang]

    def num(value: Any, digits: int = 0) -> str:
        if _missing(value):
            return "\u2013"
        return str(
            format_decimal(
                round(float(value), digits),
                format="#,##0" + ("." + "0" * digits if digits else ""),
                locale=locale,
            )
        )

    def pct(value: Any, digits: int = 1) -> str:
        return "\u2013" if _missing(value) else num(100 * float(value), digits) + "\u00a0%"

    def usd(value: Any) -> str:
        text = fmt_usd(value)
        if text == "\u2013":
            return text
        sign = "-" if text.startswith("-") else ""
        amount, *unit = text.lstrip("-$").split(" ")
        words = {"bn": "\u00a0Md$", "m": "\u00a0M$", "k": "\u00a0k$"}
        return sign + _french(amount) + (words[unit[0]] if unit else "\u00a0$")

    def month(value: Any) -> str:
        if _missing(value):
            return "\u2013"
        return str(format_date(pd.Timestamp(value).date(), "MMM y", locale=locale))

    return {"pct": pct, "num": num, "usd": usd, "month": month}


def environment(lang: str = "en") -> jinja2.Environment:
    """The Jinja2 environment of the brief templates, with the formatting filters.

    Parameters
    ----------
    lang
        Language of the words (gettext catalogue) and of the number formats.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bluehelmet.brief", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Whitespace inside {% trans %} blocks is collapsed, so a message id is one line.
    env.policies["ext.i18n.trimmed"] = True
    words = translations(lang)
    env.install_gettext_translations(words, newstyle=True)  # type: ignore[attr-defined]

    def cite(text: Any) -> Markup:
        # Data text in the brief's language; a citation or other text the catalogue does not
        # translate is quoted as published and marked as English (lang="en").
        if text is None:
            return Markup("")
        shown = words.gettext(str(text))
        if lang != "en" and shown == str(text):
            return Markup('<span lang="en">{}</span>').format(shown)
        return Markup("{}").format(shown)

    # Words that come from data (a reason, a source, a title) are looked up as they are: the
    # "_()" of the templates treats its text as a format string, data may contain "%".
    env.filters.update(
        date=fmt_date,
        raw=raw_value,
        css_string=css_string,
        tr=lambda text: words.gettext(str(text)) if text is not None else "",
        cite=cite,
        # A country's name in the brief's language (CLDR's, through Babel; English as written).
        country=lambda iso3, name: chart_words(lang).country(str(iso3), str(name)),
        countries=lambda names, ids: (
            str(names)
            if lang == "en"
            else ", ".join(chart_words(lang).country(i, i) for i in str(ids).split(";") if i)
        ),
        **localised_filters(lang),
    )
    return env


def stylesheet() -> str:
    """The brief's CSS (inlined into the page)."""
    return resources.files("bluehelmet.brief").joinpath("templates", "brief.css").read_text("utf-8")


def render_html(context: dict[str, Any]) -> str:
    """Render the brief template with ``context`` (see :func:`bluehelmet.brief.assemble`).

    The language is ``context["lang"]`` (English when absent).
    """
    template = environment(str(context.get("lang", "en"))).get_template("brief.html.j2")
    return template.render(css=stylesheet(), **context)


class _RefCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _URL_ATTRS:
                self.refs.append(value)
            if name == "style":
                self.refs.extend(_css_refs(value))
        if tag == "script" and any(n == "src" for n, _ in attrs):
            self.refs.append("<script src>")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.refs.extend(_css_refs(data))


def _css_refs(css: str) -> list[str]:
    refs = _CSS_URL.findall(css)
    if _CSS_IMPORT.search(css):
        refs.append("@import")
    return refs


def _is_local(ref: str) -> bool:
    return ref.startswith("#") or ref.startswith("data:")


def external_references(html: str) -> list[str]:
    """Every reference in ``html`` that a viewer would fetch: not a ``data:`` URI nor ``#id``.

    Embedded SVG images are decoded and searched too (their links must stay internal). An empty
    list means the page opens offline and makes no request.
    """
    collector = _RefCollector()
    collector.feed(html)
    collector.close()
    bad = [r for r in collector.refs if not _is_local(r.strip())]
    for ref in collector.refs:
        if ref.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(ref.split(",", 1)[1]).decode("utf-8")
            inner = _RefCollector()
            inner.feed(svg)
            bad.extend(r for r in inner.refs if not _is_local(r.strip()))
    return bad


class _StatCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, str]] = []
        self._open: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "data-stat" in found:
            row = {
                "stat": found["data-stat"],
                "key": found.get("data-key", ""),
                "value": found.get("data-value", ""),
                "text": "",
                "tag": tag,
            }
            self.rows.append(row)
            self._open.append(row)
        elif (
            self._open and tag in ("td", "li", "span", "dd", "div") and tag == self._open[-1]["tag"]
        ):
            self._open.append({"tag": tag, "text": ""})

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1]["tag"] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for row in self._open:
            if "stat" in row:
                row["text"] += data


def stat_cells(html: str) -> pd.DataFrame:
    """Every element of a brief that carries a statistic: ``stat, key, value, text``.

    ``stat`` names the statistics table and column (``gaps.unmet_unit_months``), ``key`` the row
    (``MINUSMA|UH``), ``value`` the unformatted number and ``text`` what the reader sees. This is
    how tests (and readers' tools) check a brief against the library.
    """
    collector = _StatCollector()
    collector.feed(html)
    collector.close()
    out = pd.DataFrame(collector.rows, columns=["stat", "key", "value", "text", "tag"])
    out["text"] = out["text"].str.split().str.join(" ")
    return out.drop(columns="tag")
