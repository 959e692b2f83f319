"""Translations: the gettext catalogs compiled in memory at app start; the language of a request."""

from __future__ import annotations

from importlib import resources
from io import BytesIO

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from ringfence.auth.rules import Language, preferred_language

LANGUAGE_COOKIE = "ringfence_lang"
DOMAIN = "messages"


def compile_catalog(language: Language) -> NullTranslations:
    """The language's messages.po, compiled to a .mo in memory (no compiled file is kept in the repo)."""
    source = resources.files("ringfence.web") / "translations" / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po_file:
        catalog = read_po(po_file, locale=language.value, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def load_catalogs() -> dict[Language, NullTranslations]:
    return {language: compile_catalog(language) for language in Language}


def parse_language(value: str | None) -> Language | None:
    """A language code as stored or sent (`zh_CN`, `zh`, `en`), or None if it names none we have."""
    if not value:
        return None
    code = value.strip().replace("-", "_")
    if code.lower().startswith("zh"):
        return Language.zh_CN
    if code.lower().startswith("en"):
        return Language.en
    return None


def request_language(*, user_language: str | None, cookie: str | None, accept_language: str | None) -> Language:
    """The user's own choice first, then the browser's cookie, then its Accept-Language (else English)."""
    return parse_language(user_language) or parse_language(cookie) or preferred_language(accept_language)


def html_lang(language: Language) -> str:
    """The value of the `lang` attribute (BCP 47)."""
    return "zh-CN" if language is Language.zh_CN else "en"
