from datetime import date

import pytest

from passaparola.domain import visits

pytestmark = pytest.mark.unit

BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:130.0) Gecko/20100101 Firefox/130.0",
]
PREVIEWS = [
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-requests/2.32.0",
]


@pytest.mark.parametrize("agent", BROWSERS)
def test_people_are_counted(agent):
    assert not visits.is_bot({"user-agent": agent})


@pytest.mark.parametrize("agent", PREVIEWS)
def test_bots_and_link_previews_are_not(agent):
    assert visits.is_bot({"user-agent": agent})


def test_no_user_agent_is_not_a_person():
    assert visits.is_bot({})


@pytest.mark.parametrize(
    "header", [{"purpose": "prefetch"}, {"sec-purpose": "prefetch;prerender"}, {"x-moz": "prefetch"}]
)
def test_prefetches_are_not_clicks(header):
    assert visits.is_bot({"user-agent": BROWSERS[0]} | header)


def test_visitor_ids_are_stable_within_a_day_and_hide_the_address():
    salt = b"s" * 32
    today = visits.visitor_id(salt, "203.0.113.7", BROWSERS[0], date(2026, 11, 23))
    assert today == visits.visitor_id(salt, "203.0.113.7", BROWSERS[0], date(2026, 11, 23))
    assert today != visits.visitor_id(salt, "203.0.113.7", BROWSERS[0], date(2026, 11, 24))
    assert today != visits.visitor_id(salt, "203.0.113.8", BROWSERS[0], date(2026, 11, 23))
    assert today != visits.visitor_id(b"t" * 32, "203.0.113.7", BROWSERS[0], date(2026, 11, 23))
    assert "203" not in today


def test_variants_are_assigned_evenly_and_stably():
    salt = b"s" * 32
    ids = [visits.visitor_id(salt, f"198.51.100.{i}", "ua", date(2026, 1, 1)) for i in range(200)]
    chosen = [visits.variant_for(v, ("a", "b")) for v in ids]
    assert 70 < chosen.count("a") < 130
    assert chosen == [visits.variant_for(v, ("a", "b")) for v in ids]
    assert visits.variant_for(ids[0], ()) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("it-IT,it;q=0.9,en;q=0.8", "it"),
        ("fr-CH, fr;q=0.9, en;q=0.8", "en"),
        ("de", "en"),
        ("", "en"),
        ("en;q=0.5, it;q=0.9", "it"),
        ("it;q=bogus, en", "en"),
    ],
)
def test_language_negotiation(header, expected):
    assert visits.negotiate(header, ("en", "it")) == expected
