from datetime import UTC, datetime, timedelta

import pytest

from passaparola.domain.errors import InvalidToken
from passaparola.domain.tokens import LIFETIME, StatsTokens

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, tzinfo=UTC)
tokens = StatsTokens(b"k" * 32)


def test_a_token_names_its_code():
    assert tokens.verify(tokens.issue("GIFT-BCDFGHJKM", NOW), NOW) == "GIFT-BCDFGHJKM"


def test_a_token_for_one_code_cannot_be_edited_into_another():
    code, expires, mac = tokens.issue("GIFT-BCDFGHJKM", NOW).split(".")
    with pytest.raises(InvalidToken):
        tokens.verify(f"GIFT-BCDFGHJKN.{expires}.{mac}", NOW)
    with pytest.raises(InvalidToken):
        tokens.verify(f"{code}.{int(expires) + 86400}.{mac}", NOW)


def test_tokens_expire():
    token = tokens.issue("GIFT-BCDFGHJKM", NOW)
    assert tokens.verify(token, NOW + LIFETIME - timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, NOW + LIFETIME + timedelta(seconds=1))


def test_another_key_refuses_the_token():
    with pytest.raises(InvalidToken):
        StatsTokens(b"x" * 32).verify(tokens.issue("GIFT-BCDFGHJKM", NOW), NOW)


@pytest.mark.parametrize("junk", ["", "abc", "a.b", "a.b.c.d", "GIFT-BCDFGHJKM.notanumber.mac"])
def test_junk_is_refused(junk):
    with pytest.raises(InvalidToken):
        tokens.verify(junk, NOW)


def test_short_keys_are_refused():
    with pytest.raises(ValueError, match="32 bytes"):
        StatsTokens(b"short")
