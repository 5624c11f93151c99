"""The brief in English or French: gettext catalogues and number formats per language.

The templates mark their words for translation (Jinja2's ``i18n`` extension: ``{% trans %}`` and
``_()``); the French words are in the gettext catalogue ``brief/locale/fr.po``, read with Babel.
Numbers are formatted by the filters of :mod:`bluehelmet.brief.render` in the brief's language
(Babel's CLDR data: ``1 234,5``, ``12,3 %``, ``juil. 2018``); the raw values in ``data-value``
are the same in every language, which is how the tests check that both briefs state the same
figures.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bluehelmet.plot.labels import ChartWords

#: Languages a brief can be written in (the Security Council's two working languages).
LANGUAGES: tuple[str, ...] = ("en", "fr")

#: Babel locale of each language (number and date formats).
LOCALES: dict[str, str] = {"en": "en_GB", "fr": "fr_FR"}


class CatalogTranslations(gettext.NullTranslations):
    """gettext over a Babel catalogue read from a ``.po`` file (no compiled ``.mo`` needed).

    A message without a translation (or marked fuzzy) falls back to the English text.
    """

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self._messages: dict[str, str] = {}
        for message in catalog:
            if message.id and message.string and not message.fuzzy:
                key = message.id if isinstance(message.id, str) else message.id[0]
                value = message.string if isinstance(message.string, str) else message.string[0]
                self._messages[key] = value

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself."""
        return self._messages.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        """Singular or plural form (the catalogue holds singular forms only)."""
        return self.gettext(msgid1 if n == 1 else msgid2)

    def __len__(self) -> int:
        return len(self._messages)

    def __contains__(self, message: str) -> bool:
        return message in self._messages


def check_language(lang: str) -> str:
    """``lang`` if the brief can be written in it.

    Raises
    ------
    ValueError
        Naming the language and the ones available.
    """
    if lang not in LANGUAGES:
        raise ValueError(
            f"language {lang!r}: a brief can be written in {', '.join(LANGUAGES)} (option --lang)"
        )
    return lang


@lru_cache(maxsize=4)
def translations(lang: str) -> gettext.NullTranslations:
    """The translations of the brief's words into ``lang`` (English: none needed)."""
    check_language(lang)
    if lang == "en":
        return gettext.NullTranslations()
    path = resources.files("bluehelmet.brief").joinpath("locale", f"{lang}.po")
    with path.open("rb") as f:
        catalog = read_po(f, locale=LOCALES[lang])
    return CatalogTranslations(catalog)


def chart_words(lang: str) -> ChartWords:
    """The words and number notation of the brief's charts in ``lang`` (the same catalogue)."""
    return ChartWords(translations(lang).gettext, LOCALES[check_language(lang)])
