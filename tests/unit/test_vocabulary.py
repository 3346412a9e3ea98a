"""One vocabulary: every word the domain uses has an HTTP status, a schema, or words on the pages."""

from __future__ import annotations

import inspect

import pytest

from passaparola import i18n
from passaparola.api import errors as api_errors
from passaparola.domain import errors, fraud, vocabulary
from passaparola.domain.campaign import FraudModes
from passaparola_pages import words

pytestmark = pytest.mark.unit


def domain_errors() -> list[type[errors.DomainError]]:
    return [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, errors.DomainError) and kind is not errors.DomainError
    ]


@pytest.mark.parametrize("kind", domain_errors(), ids=lambda kind: kind.__name__)
def test_every_domain_error_has_one_client_status_and_a_known_code(kind):
    assert 400 <= api_errors.STATUS[kind] < 500
    assert kind.code in vocabulary.ERROR_CODES


def test_the_error_mapping_names_only_domain_errors():
    assert set(api_errors.STATUS) == set(domain_errors())


def page_words() -> list[str]:
    """The catalog keys of every status, role, reason and error the pages can show."""
    assert set(vocabulary.INVALID_CODE_REASONS) <= set(words.CODE_PROBLEMS)
    return [
        *(f"site.landing.invalid.{reason}" for reason in words.CODE_PROBLEMS),
        *(f"site.stats.status.{status}" for status in vocabulary.REWARD_STATUSES),
        *(f"site.stats.role.{role}" for role in vocabulary.ROLES),
        *words.API_ERRORS.values(),
    ]


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_status_reason_and_error_the_pages_show_has_words_in_each_language(lang):
    catalog = i18n.catalog(lang)  # the language's own words: no fallback to English
    missing = [key for key in page_words() if not catalog.get(key)]
    assert missing == []


def test_the_pages_translate_only_error_codes_the_api_sends():
    assert set(words.API_ERRORS) <= set(vocabulary.ERROR_CODES)


def test_the_fraud_checks_are_the_ones_a_campaign_can_switch():
    assert tuple(FraudModes.model_fields) == vocabulary.FRAUD_CHECKS
    assert set(fraud.CLAIM_CHECKS) <= set(vocabulary.FRAUD_CHECKS)


def test_every_reason_an_order_can_carry_is_one_check():
    ids = [check.id for check in fraud.CHECKS]
    assert sorted(ids) == sorted(vocabulary.REASONS)
