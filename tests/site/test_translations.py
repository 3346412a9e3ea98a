"""The site's words in five languages: every key in every catalog, with the same placeholders,
and a form for every plural category the language has (CLDR, through Babel)."""

from __future__ import annotations

import re

import pytest
from babel import Locale

from passaparola import i18n
from passaparola.domain import vocabulary
from passaparola_pages import words
from tests.site.helpers import page


def site_keys(lang: str) -> dict[str, object]:
    return {key: value for key, value in i18n.catalog(lang).items() if key.startswith("site.")}


def placeholders(value: object) -> set[str]:
    texts = value.values() if isinstance(value, dict) else [value]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", str(text))}


@pytest.mark.unit
@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_every_site_string_is_translated_with_the_same_placeholders(lang):
    english, translated = site_keys(i18n.DEFAULT), site_keys(lang)
    assert set(translated) == set(english)
    for key, value in english.items():
        assert placeholders(translated[key]) == placeholders(value), key
        if not placeholders(value) and len(str(value)) > 12:
            assert translated[key] != value, f"{lang} {key} is still in English"


@pytest.mark.unit
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_plural_strings_have_every_form_the_language_needs(lang):
    needed = set(Locale.parse(lang).plural_form.tags) | {"other"}
    if lang in ("it", "fr"):
        needed.discard("many")  # only for millions ("1 000 000 de jours"), which "other" covers
    for key, value in site_keys(lang).items():
        if isinstance(value, dict):
            assert needed <= set(value), key


@pytest.mark.unit
@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 dzień"), (3, "3 dni"), (14, "14 dni"), (22, "22 dni")],
)
def test_polish_plurals(count, expected):
    assert expected in i18n.text("pl", "site.rule.hold.purchase", count=count)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 день"), (3, "3 дня"), (14, "14 дней"), (21, "21 день")]
)
def test_russian_plurals(count, expected):
    assert expected in i18n.text("ru", "site.rule.hold.purchase", count=count)


@pytest.mark.site
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_pages_speak_their_language(sample_site, lang):
    soup = page(sample_site, f"/{lang}/stats/")
    assert soup.h1.get_text() == i18n.text(lang, "site.stats.title")
    assert soup.select_one("a.skip").get_text() == i18n.text(lang, "site.skip")


@pytest.mark.site
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_pages_have_words_for_every_error_and_code_problem_they_can_show(lang):
    assert set(words.API_ERRORS) <= set(vocabulary.ERROR_CODES)
    assert set(vocabulary.INVALID_CODE_REASONS) <= set(words.CODE_PROBLEMS)
    keys = [*words.API_ERRORS.values(), *(f"site.landing.invalid.{p}" for p in words.CODE_PROBLEMS)]
    assert [key for key in keys if not i18n.catalog(lang).get(key)] == []
