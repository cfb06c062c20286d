"""Message catalogues of the pages: gettext .po files read once at start-up (no build step).

French first (the default), English per user. Message ids are English; `locale/fr` translates
them, `locale/en` may stay empty (an untranslated message shows its id).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"


@cache
def translations(language: str) -> Translations:
    """The compiled catalogue of a language, read from its .po file once per process."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    buffer = io.BytesIO()
    with po.open("rb") as source:
        write_mo(buffer, read_po(source, locale=language))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def language_of(value: str | None) -> str:
    """A supported language, French when unknown."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def translator(language: str) -> Callable[[str], str]:
    """`gettext` of a language, for messages composed in Python."""
    return translations(language_of(language)).gettext


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(language_of(context.get("lang"))).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(language_of(context.get("lang"))).ngettext(singular, plural, n)


def install(environment: Any) -> None:
    """Add the i18n extension to a Jinja environment; the template context's `lang` decides."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)
