"""The emails in words and in MIME: whole sentences in every language (cases and plurals
included), what each reward kind becomes, the brand's look, and the message SES is handed."""

from __future__ import annotations

import inspect
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from pydantic import TypeAdapter

from passaparola import i18n
from passaparola.domain.campaign import CompiledCampaign, RewardSpec
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.records import Owner, Reward
from passaparola.mail import catalogue
from passaparola.mail.layout import Letterhead
from passaparola.storage.mailer import mime
from passaparola_build.content import load
from passaparola_build.rules import compile_rules

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
RULES = compile_rules(load(ROOT / "content"))
SPRING = RULES.campaigns["spring"]
LETTERHEAD = Letterhead(RULES.brands["acme"], "https://refer.acme.example")
NOW = datetime(2026, 11, 30, tzinfo=UTC)
spec = TypeAdapter(RewardSpec).validate_python
UNSUBSCRIBE = Unsubscribe(
    email_key="0123456789abcdef0123456789abcdef",
    campaign="spring",
    one_click_url="https://refer.acme.example/unsubscribe/spring.0123456789abcdef0123456789abcdef.x",
    page_url="https://refer.acme.example/en/unsubscribe/#t=spring.0123456789abcdef0123456789abcdef.x",
)
# The kinds the kit cannot issue itself, and words each email must say about what happens next.
WHAT_HAPPENS = {
    "credit": ({"type": "credit", "amount": 10, "currency": "EUR"}, "adding this credit to your account"),
    "cash": ({"type": "cash", "amount": 20, "currency": "EUR"}, "pay this amount out to you"),
    "gift_card": ({"type": "gift_card", "amount": 25, "currency": "EUR"}, "send you the gift card"),
    "donation": (
        {"type": "donation", "amount": 5, "currency": "EUR", "charity": "Water for All"},
        "making this donation in your name",
    ),
    "free_period": ({"type": "free_period", "months": 1}, "adding the free time to your subscription"),
    "quota": ({"type": "quota", "amount": 500, "unit": "MB"}, "adding the extra allowance"),
    "gift": ({"type": "gift", "description": "A mug"}, "ship your gift to you"),
    "revenue_share": (
        {"type": "revenue_share", "percent": 10, "months": 12},
        "your share of your friend's order",
    ),
}


def reward(
    kind: dict[str, Any], *, role: str = "referrer", reward_id: str = "order-1", **fields: Any
) -> Reward:
    described = spec(kind)
    owner = Owner.friend("k" * 32) if role == "friend" else Owner.referrer("SPRING-BCDFGHJKM")
    values: dict[str, Any] = {"value": None, "currency": None}
    if described.type == "revenue_share":
        values = {"value": Decimal("4.99"), "currency": "EUR"}
    return Reward(
        owner=owner,
        reward_id=reward_id,
        role=role,  # type: ignore[arg-type]
        spec=described,
        hold_days=0,
        campaign="spring",
        code="SPRING-BCDFGHJKM",
        status="issued",
        created_at=NOW,
        **values | fields,
    )


def issued(lang: str, rewarded: Reward, campaign: CompiledCampaign = SPRING) -> Email:
    return catalogue.reward_issued(
        to="anna@example.com",
        lang=lang,
        name="Anna",
        campaign=campaign,
        letterhead=LETTERHEAD,
        reward=rewarded,
        stats_url="https://refer.acme.example/en/stats/#t=x",
        unsubscribe=UNSUBSCRIBE,
    )


def welcome(lang: str, campaign: CompiledCampaign = SPRING) -> Email:
    return catalogue.welcome(
        to="anna@example.com",
        lang=lang,
        name="Anna",
        campaign=campaign,
        letterhead=LETTERHEAD,
        share_url="https://refer.acme.example/r/SPRING-BCDFGHJKM",
        stats_url="https://refer.acme.example/en/stats/#t=x",
    )


def with_rewards(**rules: Any) -> CompiledCampaign:
    """The spring campaign with other rewards."""
    changed = SPRING.rules.model_copy(update={k: spec(v) for k, v in rules.items()})
    return SPRING.model_copy(update={"rules": changed})


def placeholders(entry: object) -> set[str]:
    texts = entry.values() if isinstance(entry, dict) else [entry]
    return {name for text in texts for name in re.findall(r"\{(\w+)\}", str(text))}


def parsed(email: Email) -> EmailMessage:
    raw = mime(email, "referrals@acme-roasters.example", "Mon, 30 Nov 2026 10:00:00 +0000")
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


# --- every sentence whole, in every language -------------------------------------------------


def test_every_email_key_has_words_in_all_five_languages_with_every_plural_form():
    english = {key for key in i18n.catalog("en") if key.startswith("email.")}
    assert len(english) > 30
    for lang in i18n.LANGUAGES:
        catalog = i18n.catalog(lang)
        assert english <= set(catalog), lang
        # the forms a whole count can take (Italian's "many" is for 1e6 written as an exponent)
        categories = {Locale.parse(lang).plural_form(n) for n in range(1000)} | {"other"}
        for key in english:
            entry = catalog[key]
            assert entry, (lang, key)
            assert placeholders(entry) == placeholders(i18n.catalog("en")[key]), (lang, key)
            if isinstance(entry, dict):
                assert set(entry) == categories, (lang, key)


@pytest.mark.parametrize(
    ("lang", "friend_reward", "says"),
    [
        ("ru", {"type": "coupon_percent", "percent": 10}, "Ваши друзья получат скидку 10%."),
        (
            "ru",
            {"type": "coupon_fixed", "amount": 12, "currency": "EUR"},
            "Ваши друзья получат скидку 12\xa0€.",
        ),
        (
            "ru",
            {"type": "gift_card", "amount": 25, "currency": "EUR"},
            "Ваши друзья получат подарочную карту на 25\xa0€.",
        ),
        ("pl", {"type": "coupon_percent", "percent": 10}, "Twoi znajomi otrzymają 10% zniżki."),
        (
            "pl",
            {"type": "gift_card", "amount": 25, "currency": "EUR"},
            "Twoi znajomi otrzymają kartę podarunkową o wartości 25\xa0€.",
        ),
        ("it", {"type": "coupon_percent", "percent": 10}, "I tuoi amici ricevono il 10% di sconto."),
        ("en", {"type": "coupon_percent", "percent": 10}, "Your friends get 10% off."),
    ],
)
def test_the_welcome_puts_the_friends_reward_in_the_case_its_sentence_needs(lang, friend_reward, says):
    assert says in welcome(lang, with_rewards(friend_reward=friend_reward)).text


def test_the_russian_welcome_no_longer_says_poluchat_skidka():
    text = welcome("ru").text
    assert "получат скидку 10%" in text
    assert "получат скидка" not in text


@pytest.mark.parametrize(
    ("lang", "months", "says"),
    [
        ("ru", 1, "Вы получите 1 бесплатный месяц за каждого друга"),
        ("ru", 2, "Вы получите 2 бесплатных месяца за каждого друга"),
        ("ru", 5, "Вы получите 5 бесплатных месяцев за каждого друга"),
        ("ru", 21, "Вы получите 21 бесплатный месяц за каждого друга"),
        ("pl", 1, "Ty otrzymasz 1 darmowy miesiąc za każdego znajomego"),
        ("pl", 3, "Ty otrzymasz 3 darmowe miesiące za każdego znajomego"),
        ("pl", 12, "Ty otrzymasz 12 darmowych miesięcy za każdego znajomego"),
        ("pl", 22, "Ty otrzymasz 22 darmowe miesiące za każdego znajomego"),
    ],
)
def test_counts_in_the_welcome_take_each_languages_plural_form(lang, months, says):
    assert says in welcome(lang, with_rewards(referrer_reward={"type": "free_period", "months": months})).text


@pytest.mark.parametrize(
    ("lang", "after", "says"),
    [
        ("ru", 1, "Вы успешно пригласили уже 1 друга,"),
        ("ru", 3, "Вы успешно пригласили уже 3 друзей,"),
        ("ru", 5, "Вы успешно пригласили уже 5 друзей,"),
        ("ru", 21, "Вы успешно пригласили уже 21 друга,"),
        ("pl", 1, "Masz już 1 skuteczne polecenie,"),
        ("pl", 4, "Masz już 4 skuteczne polecenia,"),
        ("pl", 5, "Masz już 5 skutecznych poleceń,"),
        ("pl", 22, "Masz już 22 skuteczne polecenia,"),
        ("en", 1, "You have now successfully invited 1 friend,"),
        ("en", 5, "You have now successfully invited 5 friends,"),
    ],
)
def test_a_milestone_email_counts_friends_in_each_languages_plural_form(lang, after, says):
    milestone = reward({"type": "gift", "description": "A mug"}, role="tier", reward_id=f"tier-{after}")
    assert says in issued(lang, milestone).text


def test_the_italian_email_shows_the_gift_in_the_translations_own_words():
    hoodie = reward(SPRING.rules.tiers[0].reward.model_dump(), role="tier", reward_id="tier-5")
    email = issued("it", hoodie)
    assert email.subject == "Il tuo premio da Acme Roasters: una felpa Acme Roasters"
    assert "ricevi un bonus: una felpa Acme Roasters." in email.text
    assert "hoodie" not in email.text + email.html
    assert "una felpa Acme Roasters" in issued("it", hoodie).html
    assert "толстовка Acme Roasters" in issued("ru", hoodie).text
    assert "An Acme Roasters hoodie" in issued("en", hoodie).text


# --- what each reward becomes ----------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(WHAT_HAPPENS))
def test_a_reward_the_kit_cannot_issue_says_what_the_business_does_with_it(kind):
    rewarded, says = WHAT_HAPPENS[kind]
    text = issued("en", reward(rewarded)).text
    assert says in text
    assert "shortly" not in text and "add it to your account" not in text
    for lang in i18n.LANGUAGES:
        assert (
            i18n.text(lang, f"email.reward.{kind}", brand="Acme Roasters")
            in issued(lang, reward(rewarded)).text
        )


def test_a_coupon_comes_with_its_code_how_to_use_it_and_the_shop():
    coupon = reward({"type": "coupon_percent", "percent": 10}, role="friend", coupon_code="SPRING-T7CRSKJW")
    email = catalogue.friend_gift(
        use_by=None,
        join_url="https://refer.acme.example/en/spring/#email=m%40example.com",
        to="marco@example.com",
        lang="fr",
        campaign=SPRING,
        letterhead=LETTERHEAD,
        reward=coupon,
    )
    assert email.subject == "Votre cadeau de bienvenue chez Acme Roasters\xa0: 10% de réduction"
    assert "Votre code\nSPRING-T7CRSKJW\n" in email.text
    assert "Saisissez-le au moment de payer." in email.text
    assert "https://shop.acme-roasters.example/" in email.text


# --- who may unsubscribe from what -----------------------------------------------------------


def test_only_emails_that_answer_nothing_the_person_did_carry_an_unsubscribe():
    coupon = reward({"type": "coupon_percent", "percent": 10}, role="friend", coupon_code="SPRING-T7CRSKJW")
    direct = [
        welcome("en"),
        catalogue.friend_gift(
            to="m@example.com",
            lang="en",
            campaign=SPRING,
            letterhead=LETTERHEAD,
            reward=coupon,
            use_by=None,
            join_url="https://refer.acme.example/en/spring/#email=m%40example.com",
        ),
        catalogue.new_customers_only(to="m@example.com", lang="en", campaign=SPRING, letterhead=LETTERHEAD),
    ]
    for email in direct:
        assert email.unsubscribe is None
        assert "List-Unsubscribe" not in parsed(email)
        assert "nsubscribe" not in email.text
    later = issued("en", reward({"type": "credit", "amount": 10, "currency": "EUR"}))
    assert later.unsubscribe == UNSUBSCRIBE
    assert f"Unsubscribe from these emails\n{UNSUBSCRIBE.page_url}\n" in later.text
    assert f'href="{UNSUBSCRIBE.page_url}"' in later.html


# --- MIME ------------------------------------------------------------------------------------


def test_an_email_is_multipart_alternative_with_a_text_part_then_an_html_part():
    message = parsed(welcome("ru"))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert "Ваши друзья получат скидку 10%." in parts[0].get_content()
    assert '<html lang="ru"' in parts[1].get_content()


def test_the_headers_name_the_brand_the_language_and_where_replies_go():
    message = parsed(welcome("it"))
    assert message["From"] == "Acme Roasters <referrals@acme-roasters.example>"
    assert message["To"] == "anna@example.com"
    assert message["Reply-To"] == "hello@acme-roasters.example"
    assert message["Content-Language"] == "it"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "Il tuo link personale per Regala il 10%, ricevi 10 €"


def test_one_click_unsubscribe_headers_are_plain_urls_mail_clients_can_read():
    raw = mime(issued("ru", reward({"type": "cash", "amount": 20, "currency": "EUR"})), "r@acme.example", "x")
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = re.sub(r"\r\n[ \t]+", " ", head).split("\r\n")  # RFC 5322 unfolding
    assert [line.split(":", 1)[1].strip() for line in unfolded if line.startswith("List-Unsubscribe")] == [
        f"<{UNSUBSCRIBE.one_click_url}>",  # as written, not as an RFC 2047 encoded word
        "List-Unsubscribe=One-Click",
    ]
    # RFC 5322's hard limit; a URL cannot be folded, so its line may pass the advised 78
    assert all(len(line) <= 998 for line in raw.decode("ascii").split("\r\n"))


def test_a_long_subject_in_cyrillic_keeps_its_spaces_in_encoded_words_of_at_most_75_characters():
    long_title = SPRING.model_copy(
        update={
            "texts": SPRING.texts
            | {"ru": SPRING.texts["ru"].model_copy(update={"title": "Подарите 10% — получите 10 € " * 4})}
        }
    )
    email = welcome("ru", long_title)
    raw = mime(email, "r@acme.example", "x")
    words = re.findall(rb"=\?utf-8\?[bq]\?[^?]*\?=", raw)
    assert words and all(len(word) <= 75 for word in words)
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == email.subject


# --- the brand's look, readable without images ------------------------------------------------


class _Reader(HTMLParser):
    """The text a person reads with images off, and what the markup says about itself."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.tables: list[dict[str, str | None]] = []
        self.html: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        {"img": self.images, "table": self.tables}.get(tag, []).append(dict(attrs))
        if tag == "html":
            self.html = dict(attrs)

    def handle_data(self, data: str) -> None:
        self.words.append(data)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_html_part_is_accessible_and_says_everything_the_text_part_says(lang):
    email = issued(
        lang, reward({"type": "coupon_fixed", "amount": 12, "currency": "EUR"}, coupon_code="SPRING-X7")
    )
    reader = _Reader()
    reader.feed(email.html)
    assert reader.html == {"lang": lang, "dir": "ltr"}
    assert f"<title>{email.subject}</title>" in email.html.replace("&#x27;", "'")
    assert reader.images == [
        {
            "src": "https://refer.acme.example/email/acme/email-logo.png",
            "width": "180",
            "height": "40",
            "alt": "Acme Roasters",
            "style": reader.images[0]["style"],
        }
    ]
    assert all(table.get("role") == "presentation" for table in reader.tables)
    seen = " ".join("".join(reader.words).split())
    for line in email.text.splitlines():
        if line.startswith("https://"):
            assert f'href="{line}"' in email.html, line  # a button or a link, with words of its own
        elif line.strip() and line.strip() != "--":
            assert " ".join(line.split()) in seen, line


def test_the_html_part_uses_only_the_brands_colours_whose_contrast_the_build_checked():
    email = issued("en", reward({"type": "gift", "description": "A mug"}))
    used = {colour.lower() for colour in re.findall(r"#[0-9a-fA-F]{6}\b", email.html)}
    brand = RULES.brands["acme"].colours
    assert used <= {brand.primary, brand.on_primary, brand.background, brand.text, brand.accent}
    assert f"background:{brand.primary};color:{brand.on_primary}" in email.html  # the button


def test_without_a_logo_the_masthead_is_the_brands_name_in_text():
    plain = Letterhead(RULES.brands["acme"].model_copy(update={"letterhead_logo": None}), "https://x.example")
    email = catalogue.new_customers_only(to="m@example.com", lang="en", campaign=SPRING, letterhead=plain)
    assert "<img" not in email.html
    assert ">Acme Roasters</p>" in email.html


def test_the_readme_lists_every_email_and_which_ones_carry_list_unsubscribe():
    section = (
        (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Emails\n", 1)[1].split("\n## ", 1)[0]
    )
    rows = [line for line in section.splitlines() if line.startswith("| **")]
    sent = {
        name: inspect.signature(function)
        for name, function in vars(catalogue).items()
        if inspect.isfunction(function)
        and function.__module__ == catalogue.__name__
        and not name.startswith("_")
    }
    assert {"welcome", "friend_gift", "reward_issued", "new_customers_only"} <= set(sent)
    assert len(rows) == len(sent)
    unsubscribable = [name for name, signature in sent.items() if "unsubscribe" in signature.parameters]
    assert [row.split("|")[4].strip().startswith("yes") for row in rows].count(True) == len(unsubscribable)


# --- the lifecycle's emails ------------------------------------------------------------------


def lifecycle_emails(lang: str) -> dict[str, Email]:
    """Every email the lifecycle sends, to a referrer or to a friend, in `lang`."""
    referrer: dict[str, Any] = {
        "to": "anna@example.com",
        "lang": lang,
        "name": "Anna",
        "campaign": SPRING,
        "letterhead": LETTERHEAD,
        "stats_url": "https://refer.acme.example/en/stats/#t=x",
        "unsubscribe": UNSUBSCRIBE,
    }
    coupon = reward({"type": "coupon_percent", "percent": 10}, role="friend", coupon_code="SPRING-T7CRSKJW")
    credit = reward({"type": "credit", "amount": 10, "currency": "EUR"}, value=Decimal(10), currency="EUR")
    return {
        "friend_claimed": catalogue.friend_claimed(**referrer),
        "order_attributed": catalogue.order_attributed(
            reward=credit, released_on=NOW.date() + timedelta(days=14), **referrer
        ),
        "cap_reached": catalogue.cap_reached(cap=5, **referrer),
        "referrer_nudge": catalogue.referrer_nudge(
            share_url="https://refer.acme.example/r/SPRING-BCDFGHJKM", **referrer
        ),
        "coupon_reminder": catalogue.coupon_reminder(
            to="marco@example.com",
            lang=lang,
            campaign=SPRING,
            letterhead=LETTERHEAD,
            reward=coupon,
            use_by=NOW.date() + timedelta(days=29),
            unsubscribe=UNSUBSCRIBE,
        ),
        "purchase_ask": catalogue.purchase_ask(
            to="bea@example.com",
            lang=lang,
            campaign=SPRING,
            letterhead=LETTERHEAD,
            join_url="https://refer.acme.example/en/spring/#email=bea%40example.com",
            unsubscribe=UNSUBSCRIBE,
        ),
    }


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_lifecycle_email_is_whole_sentences_and_can_be_unsubscribed_from(lang):
    for name, email in lifecycle_emails(lang).items():
        assert email.unsubscribe == UNSUBSCRIBE, name
        assert "List-Unsubscribe" in parsed(email), name
        for text in (email.subject, email.text):
            assert "{" not in text and ".." not in text and " ." not in text, (name, text)
        assert f'<html lang="{lang}"' in email.html


def test_the_day_a_reward_is_released_is_written_as_each_language_writes_dates():
    said = {lang: lifecycle_emails(lang)["order_attributed"].text for lang in i18n.LANGUAGES}
    assert "Your reward will be released on December 14, 2026," in said["en"]
    assert "Votre récompense sera débloquée le 14 décembre 2026," in said["fr"]
    assert "Twoja nagroda zostanie przyznana 14 grudnia 2026," in said["pl"]
    assert "Ваша награда будет начислена 14 декабря 2026," in said["ru"]
    assert "Il tuo premio sarà sbloccato il 14 dicembre 2026," in said["it"]


def test_the_invitation_to_join_says_why_it_came_and_that_it_comes_once_in_each_language():
    said = {lang: lifecycle_emails(lang)["purchase_ask"].text for lang in i18n.LANGUAGES}
    assert "You get this email because you placed an order at Acme Roasters." in said["en"]
    assert "entered on the Acme Roasters referral page" not in said["en"]  # she never was
    assert "You get news like this because you take part" not in said["en"]  # nor is she, yet
    assert "This is the only invitation to “Give 10%, get 10 €” we will send you." in said["en"]
    assert "Twoi znajomi otrzymają 10% zniżki." in said["pl"]  # the friend's reward in the accusative
    assert "Ваши друзья получат скидку 10%." in said["ru"]
    assert "Merci pour votre commande chez Acme Roasters." in said["fr"]
    assert "Grazie per il tuo ordine da Acme Roasters." in said["it"]
    for lang, text in said.items():
        assert "#email=bea%40example.com" in text, lang


def test_a_cap_of_five_is_said_with_each_languages_plural():
    said = {lang: lifecycle_emails(lang)["cap_reached"].text for lang in ("en", "pl", "ru")}
    assert "You have now invited 5 friends who count" in said["en"]
    assert "Masz już 5 skutecznych poleceń" in said["pl"]
    assert "уже 5 успешных приглашений" in said["ru"]
