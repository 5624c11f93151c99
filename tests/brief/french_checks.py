"""English left in a French brief: phrases of the catalogue's message ids, read from the page.

The phrases come from the English catalogue (the ``msgid`` of ``brief/locale/fr.po``), not
from a hand-made list: each message id is cut at its placeholders and tags into fragments; a
fragment that the English brief shows and that the message's own French translation does not
contain is English, and must not appear in the French brief. Text marked ``lang="en"`` (source
citations, quoted as published) or ``translate="no"`` (identifiers: table names) is not read; the
words inside the charts are (the ``<text>`` elements of each embedded SVG chart).
"""

from __future__ import annotations

import base64
import re
from html import unescape
from html.parser import HTMLParser
from importlib import resources

from babel.messages.pofile import read_po

from bluehelmet.brief.i18n import LOCALES

CATALOGUE = resources.files("bluehelmet.brief").joinpath("locale", "fr.po")

_PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]*>|%%")
_LETTERS = re.compile(r"[A-Za-z]{3,}")


class _Visible(HTMLParser):
    """Visible text, image descriptions and the text of embedded SVG charts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        skipped = (
            tag in ("style", "script", "title")
            or a.get("lang") == "en"
            or a.get("translate") == "no"
        )
        if skipped or (self._skip and tag == self._skip[-1]):
            self._skip.append(tag)
        if a.get("alt"):
            self.parts.append(str(a["alt"]))
        src = a.get("src") or ""
        if src.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
            texts = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, flags=re.S)
            self.parts.extend(unescape(re.sub(r"<[^>]+>", "", t)) for t in texts)
            self.parts.extend(unescape(c.strip()) for c in re.findall(r"<!--(.*?)-->", svg))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text a reader sees in ``html`` (one space between parts)."""
    parser = _Visible()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def fragments(msgid: str, translation: str) -> list[str]:
    """The English fragments of one message: cut at placeholders and tags, not in its French."""
    french = re.sub(r"\s+", " ", unescape(_PLACEHOLDER.sub(" ", translation)))
    out = []
    for part in _PLACEHOLDER.split(unescape(msgid)):
        text = re.sub(r"\s+", " ", part).strip(" ,.;:()&-—–·")
        if _LETTERS.search(text) and text not in french:
            out.append(text)
    return out


def english_phrases() -> dict[str, str]:
    """Every English fragment of the catalogue, mapped to its message id."""
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f, locale=LOCALES["fr"])
    out: dict[str, str] = {}
    for message in catalogue:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        string = message.string if isinstance(message.string, str) else message.string[0]
        for fragment in fragments(msgid, string):
            out.setdefault(fragment, msgid)
    return out


def _found(phrase: str, text: str) -> bool:
    return re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text) is not None


def english_left(english_html: str, french_html: str) -> list[tuple[str, str]]:
    """Catalogue phrases the English brief shows that the French brief still shows.

    Returns
    -------
    list of (phrase, message id)
        Empty for a brief translated throughout.
    """
    english, french = visible_text(english_html), visible_text(french_html)
    shown = {p: m for p, m in english_phrases().items() if _found(p, english)}
    assert len(shown) > 50, "the English brief shows too few catalogue phrases to compare"
    return sorted((p, m) for p, m in shown.items() if _found(p, french))
