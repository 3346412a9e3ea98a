from datetime import UTC, datetime, timedelta

import pytest

from passaparola.domain.errors import InvalidToken
from passaparola.domain.tokens import (
    DEFAULT_LIFETIME,
    DataTokens,
    OptOut,
    StatsLink,
    StatsTokens,
    UnsubscribeTokens,
    link_epoch,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, tzinfo=UTC)
tokens = StatsTokens(b"k" * 32)


def test_a_token_names_its_code_and_when_it_was_issued():
    link = tokens.verify(tokens.issue("GIFT-BCDFGHJKM", NOW), NOW)
    assert link == StatsLink("GIFT-BCDFGHJKM", link_epoch(NOW))


def test_a_token_for_one_code_cannot_be_edited_into_another_or_made_younger():
    code, issued, mac = tokens.issue("GIFT-BCDFGHJKM", NOW).split(".")
    with pytest.raises(InvalidToken):
        tokens.verify(f"GIFT-BCDFGHJKN.{issued}.{mac}", NOW)
    with pytest.raises(InvalidToken):
        tokens.verify(f"{code}.{int(issued) + 86400}.{mac}", NOW)


def test_links_expire_after_90_days_by_default():
    assert timedelta(days=90) == DEFAULT_LIFETIME
    token = tokens.issue("GIFT-BCDFGHJKM", NOW)
    assert tokens.verify(token, NOW + DEFAULT_LIFETIME - timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="expired"):
        tokens.verify(token, NOW + DEFAULT_LIFETIME + timedelta(seconds=1))


def test_the_lifetime_is_the_verifiers_so_a_shorter_one_applies_to_links_already_out():
    token = tokens.issue("GIFT-BCDFGHJKM", NOW)
    with pytest.raises(InvalidToken, match="expired"):
        StatsTokens(b"k" * 32, timedelta(days=7)).verify(token, NOW + timedelta(days=8))


def test_a_link_is_revoked_by_a_newer_one_and_not_by_an_older_one():
    link = tokens.verify(tokens.issue("GIFT-BCDFGHJKM", NOW), NOW)
    assert not link.revoked_by(None)
    assert not link.revoked_by(link_epoch(NOW))
    assert link.revoked_by(link_epoch(NOW + timedelta(seconds=1)))


def test_a_year_long_link_of_the_old_format_is_refused():
    """v1 links carried their expiry, a year out; they must not pass as issued in the future."""
    import base64
    import hashlib
    import hmac

    expires = int((NOW + timedelta(days=365)).timestamp())
    mac = hmac.new(b"k" * 32, b"passaparola/stats/v1|GIFT-BCDFGHJKM|%d" % expires, hashlib.sha256).digest()
    old = f"GIFT-BCDFGHJKM.{expires}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    with pytest.raises(InvalidToken):
        tokens.verify(old, NOW)


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


# --- unsubscribe links -----------------------------------------------------------------------

unsubscribe_tokens = UnsubscribeTokens(b"u" * 32)
ANNA = OptOut(email_key="0123456789abcdef0123456789abcdef", campaign="spring")


def test_an_unsubscribe_token_names_the_address_key_and_the_campaign():
    token = unsubscribe_tokens.issue(ANNA)
    assert unsubscribe_tokens.verify(token) == ANNA
    assert token.startswith("spring.0123456789abcdef0123456789abcdef.")
    assert "@" not in token  # the address's key, never the address


@pytest.mark.parametrize(
    "tamper",
    [
        lambda campaign, key, mac: f"club.{key}.{mac}",  # another campaign
        lambda campaign, key, mac: f"{campaign}.{'f' * 32}.{mac}",  # someone else's address
        lambda campaign, key, mac: f"{campaign}.{key}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",
        lambda campaign, key, mac: f"{campaign}.{key}.",
        lambda campaign, key, mac: f"{campaign}.{key}",
        lambda campaign, key, mac: f"{campaign}.{key}.{mac}.x",
        lambda campaign, key, mac: f"{campaign}.{key.upper()}.{mac}",
        lambda campaign, key, mac: f"../{campaign}.{key}.{mac}",
    ],
)
def test_an_unsubscribe_token_cannot_be_edited_to_unsubscribe_someone_else(tamper):
    campaign, key, mac = unsubscribe_tokens.issue(ANNA).split(".")
    with pytest.raises(InvalidToken):
        unsubscribe_tokens.verify(tamper(campaign, key, mac))


def test_an_unsubscribe_token_of_another_key_is_refused():
    forged = UnsubscribeTokens(b"x" * 32).issue(ANNA)
    with pytest.raises(InvalidToken):
        unsubscribe_tokens.verify(forged)


def test_an_unsubscribe_token_never_expires():
    # Nothing in it says when: an email read years later still unsubscribes.
    assert unsubscribe_tokens.issue(ANNA) == unsubscribe_tokens.issue(ANNA)


# --- my-data links ------------------------------------------------------------------------------

KEY = "0123456789abcdef0123456789abcdef"
data = DataTokens(b"k" * 32)


def test_a_data_link_names_the_address_key_for_an_hour():
    token = data.issue(KEY, NOW)
    assert DataTokens.is_one(token) and not DataTokens.is_one(tokens.issue("GIFT-BCDFGHJKM", NOW))
    assert data.verify(token, NOW + timedelta(minutes=60)) == KEY
    with pytest.raises(InvalidToken, match="expired"):
        data.verify(token, NOW + timedelta(minutes=60, seconds=1))


def test_a_data_link_cannot_be_edited_into_another_address_or_made_younger():
    _, key, issued, mac = data.issue(KEY, NOW).split(".")
    with pytest.raises(InvalidToken):
        data.verify(f"d.{'f' * 32}.{issued}.{mac}", NOW)
    with pytest.raises(InvalidToken):
        data.verify(f"d.{key}.{int(issued) + 3600}.{mac}", NOW)


def test_a_stats_key_token_of_another_purpose_is_no_data_link():
    """Both are made with the stats links' key: the purpose in the MAC keeps them apart."""
    forged = f"d.{KEY}.{link_epoch(NOW)}.{tokens.issue(KEY, NOW).split('.')[2]}"
    with pytest.raises(InvalidToken):
        data.verify(forged, NOW)
