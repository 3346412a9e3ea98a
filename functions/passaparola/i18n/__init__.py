"""Translations shared by the pages and the emails, and locale-aware formatting (Babel).

Catalogs are JSON files beside this module, one per language, so the site build and the
Lambda functions read the very same strings. A plural entry is an object keyed by CLDR
plural category ("one", "few", "many", "other").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from passaparola.domain.campaign import (
    MONEY_VALUED,
    Cash,
    CouponFixed,
    CouponPercent,
    Credit,
    Donation,
    FreePeriod,
    GiftCard,
    Quota,
    RevenueShare,
    RewardSpec,
)
from passaparola.domain.vocabulary import LANGUAGES as LANGUAGES  # a catalog for each, here

# The grammatical cases a reward is described in: the nominative for labels and after a colon,
# the accusative as the object of "get" or "give".
Case = Literal["nom", "acc"]
DEFAULT = "en"
_HERE = Path(__file__).parent


@cache
def catalog(lang: str) -> dict[str, Any]:
    if lang not in LANGUAGES:
        raise KeyError(f"no translations for language {lang!r}; supported: {', '.join(LANGUAGES)}")
    data: dict[str, Any] = json.loads((_HERE / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def text(lang: str, key: str, /, **values: object) -> str:
    """A translated string; `count` (if given) picks the plural form."""
    entry = catalog(lang).get(key)
    if entry is None:
        entry = catalog(DEFAULT)[key]
    if isinstance(entry, dict):
        count = values.get("count")
        entry = entry.get(_plural_category(lang, count if isinstance(count, int) else 0), entry["other"])
    return str(entry).format(**values)


def _plural_category(lang: str, count: int) -> str:
    from babel import Locale

    return str(Locale.parse(lang).plural_form(count))


def money(amount: Decimal, currency: str, lang: str) -> str:
    from babel import Locale
    from babel.numbers import format_currency

    if amount != amount.to_integral_value():
        return str(format_currency(amount, currency, locale=lang))
    # Whole amounts read better without the zero cents ("10 €", "€10"), in the locale's own layout.
    pattern = Locale.parse(lang).currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return str(format_currency(amount, currency, format=pattern, locale=lang, currency_digits=False))


# CLDR's long Russian date ends in the abbreviation of "year" and its full stop, which doubles
# the full stop of a sentence that ends with the date; the year reads as well without it.
_DAY_PATTERNS = {"ru": "d MMMM y"}


def day(value: date, lang: str) -> str:
    """A date written out as the language does ("1 March 2026", "1 marca 2026")."""
    from babel.dates import format_date

    return str(format_date(value, format=_DAY_PATTERNS.get(lang, "long"), locale=lang))


def percent(value: Decimal, lang: str) -> str:
    from babel.numbers import format_percent

    return str(format_percent(value / 100, format="#,##0.##%", locale=lang))


def number(value: Decimal, lang: str) -> str:
    from babel.numbers import format_decimal

    return str(format_decimal(value, locale=lang))


def describe(
    reward: RewardSpec,
    lang: str,
    value: Decimal | None = None,
    currency: str | None = None,
    *,
    case: Case = "nom",
    words: Mapping[str, str] | None = None,
) -> str:
    """A reward in words, e.g. "10 € in store credit". `value` overrides a percent reward's
    description with the amount it came to for a particular order. `case` is the grammatical
    case the sentence puts it in ("получат скидку": the accusative); `words` the campaign's
    translations of the business's own words (a gift's description...), by their original."""
    own = words or {}

    def t(key: str, **values: object) -> str:
        return text(lang, _cased(lang, key, case), **values)

    if isinstance(reward, MONEY_VALUED):
        return _money_valued(reward, lang, value, currency, t, own)
    if isinstance(reward, CouponFixed):
        return t("reward.coupon_fixed", amount=money(reward.amount, reward.currency, lang))
    if isinstance(reward, CouponPercent):
        return t("reward.coupon_percent", percent=percent(reward.percent, lang))
    if isinstance(reward, RevenueShare):
        if value is not None and currency is not None:
            return t("reward.credit", amount=money(value, currency, lang))
        return t("reward.revenue_share", count=reward.months, percent=percent(reward.percent, lang))
    if isinstance(reward, FreePeriod):
        if reward.plan:
            return t("reward.free_period.plan", count=reward.months, plan=own.get(reward.plan, reward.plan))
        return t("reward.free_period", count=reward.months)
    if isinstance(reward, Quota):
        return t("reward.quota", amount=number(reward.amount, lang), unit=reward.unit)
    # A tangible gift is described by the business, in its own words (translated or not).
    return own.get(reward.description, reward.description)


def _cased(lang: str, key: str, case: Case) -> str:
    """The key of the form in `case`, where the language has one (Polish and Russian change a
    noun's ending in the accusative; English, Italian and French do not)."""
    cased = f"{key}.{case}"
    return cased if case != "nom" and cased in catalog(lang) else key


def _money_valued(
    reward: Credit | Cash | GiftCard | Donation,
    lang: str,
    value: Decimal | None,
    currency: str | None,
    t: Callable[..., str],
    own: Mapping[str, str],
) -> str:
    extra = {"charity": own.get(reward.charity, reward.charity)} if isinstance(reward, Donation) else {}
    brand = own.get(reward.brand, reward.brand) if isinstance(reward, GiftCard) and reward.brand else None
    amount, cur = (value, currency) if value is not None else (reward.amount, reward.currency)
    if amount is not None and cur is not None:
        key = f"reward.{reward.type}.brand" if brand else f"reward.{reward.type}"
        return t(key, amount=money(amount, cur, lang), brand=brand, **extra)
    assert reward.percent is not None  # the model allows an amount or a percent, never neither
    described = t(f"reward.{reward.type}.percent", percent=percent(reward.percent, lang), **extra)
    if reward.max_amount is None:
        return described
    assert reward.currency is not None  # required with max_amount
    return text(lang, "reward.up_to", reward=described, max=money(reward.max_amount, reward.currency, lang))
