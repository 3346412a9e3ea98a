"""One vocabulary: every error the domain raises has an HTTP status, and every status, role and
reason has words in each language."""

from __future__ import annotations

import inspect

import pytest

from passaparola import i18n
from passaparola.api import errors as api_errors
from passaparola.domain import errors, fraud, vocabulary
from passaparola.domain.campaign import FraudModes

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


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_status_role_and_code_problem_has_words_in_each_language(lang):
    """What the stats page shows of a reward, and the landing page of a code it cannot use
    (the site's own error words are checked with the site: tests/site/test_translations.py)."""
    catalog = i18n.catalog(lang)  # the language's own words: no fallback to English
    keys = [
        *(f"site.landing.invalid.{reason}" for reason in vocabulary.INVALID_CODE_REASONS),
        *(f"site.stats.status.{status}" for status in vocabulary.REWARD_STATUSES),
        *(f"site.stats.role.{role}" for role in vocabulary.ROLES),
    ]
    assert [key for key in keys if not catalog.get(key)] == []


def test_the_fraud_checks_are_the_ones_a_campaign_can_switch():
    assert tuple(FraudModes.model_fields) == vocabulary.FRAUD_CHECKS
    assert set(fraud.CLAIM_CHECKS) <= set(vocabulary.FRAUD_CHECKS)


def test_every_reason_an_order_can_carry_is_one_check():
    ids = [check.id for check in fraud.CHECKS]
    assert sorted(ids) == sorted(vocabulary.REASONS)
