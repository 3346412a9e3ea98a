from decimal import Decimal

import pytest
from pydantic import TypeAdapter

from passaparola import i18n
from passaparola.domain.campaign import RewardSpec
from passaparola.domain.errors import InvalidInput
from passaparola.domain.people import display_name

pytestmark = pytest.mark.unit
reward = TypeAdapter(RewardSpec).validate_python


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("  Anna   Rossi ", "Anna Rossi"), ("", None), (None, None), ("<img src=x>", "<img src=x>")],
)
def test_display_names(raw, shown):
    assert display_name(raw) == shown


@pytest.mark.parametrize(
    "raw", ["anna@example.com", "see https://evil.test", "www.evil.test", "a\u202eb", "x" * 41]
)
def test_names_that_leak_or_mislead_are_refused(raw):
    with pytest.raises(InvalidInput):
        display_name(raw)


def test_catalogs_have_the_same_keys_in_every_language():
    """Besides the forms of a reward in another grammatical case (`reward.gift_card.acc`), which
    a language has where its words change: each is the case of a key every catalog has."""
    english = set(i18n.catalog("en"))
    for lang in i18n.LANGUAGES:
        keys = set(i18n.catalog(lang))
        cased = {key for key in keys if key.endswith(".acc")}
        assert keys - cased == english, lang
        assert {key.removesuffix(".acc") for key in cased} <= english, lang


@pytest.mark.parametrize(
    ("lang", "months", "expected"),
    [
        ("en", 1, "1 free month"),
        ("en", 3, "3 free months"),
        ("pl", 2, "2 darmowe miesiące"),
        ("pl", 5, "5 darmowych miesięcy"),
        ("ru", 21, "21 бесплатный месяц"),
        ("ru", 3, "3 бесплатных месяца"),
    ],
)
def test_plurals_follow_each_language(lang, months, expected):
    assert i18n.describe(reward({"type": "free_period", "months": months}), lang) == expected


def test_money_is_formatted_by_locale():
    assert i18n.money(Decimal(10), "EUR", "en") == "€10"
    assert i18n.money(Decimal("10.50"), "EUR", "it") == "10,50\xa0€"
    assert (
        i18n.describe(reward({"type": "credit", "amount": 10, "currency": "EUR"}), "fr")
        == "10\xa0€ de crédit en boutique"
    )


def test_a_percent_reward_can_be_described_with_what_it_came_to():
    share = reward({"type": "credit", "percent": 10})
    assert i18n.describe(share, "en") == "10% of the order in store credit"
    assert i18n.describe(share, "en", Decimal("4.99"), "EUR") == "€4.99 in store credit"


def test_unknown_languages_are_refused():
    with pytest.raises(KeyError):
        i18n.catalog("xx")
