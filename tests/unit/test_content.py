"""content/ is validated with file, field and reason for every problem, all at once."""

import json
import shutil
from pathlib import Path

import pytest

from passaparola import i18n
from passaparola_build import content
from passaparola_build.rules import build_rules, compile_rules, write_rules

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    return tmp_path / "content"


def problems(tree: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(content.ContentError) as raised:
        content.load(tree)
    return [(p.file.name, p.field, p.reason) for p in raised.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new))


def test_the_sample_content_is_valid_and_compiles():
    loaded = content.load(ROOT / "content")
    rules = compile_rules(loaded)
    assert set(rules.campaigns) == set(loaded.campaigns) >= {"spring", "club"}
    spring = rules.campaigns["spring"]
    assert {"en", "it"} <= set(spring.texts)
    assert spring.texts["it"].title.startswith("Regala")
    assert rules.currency_digits["EUR"] == 2


def test_the_sample_campaign_speaks_all_five_languages():
    """The site tests build the sample to cover every language: it has to have them all."""
    spring = content.load(ROOT / "content").campaigns["spring"]
    assert [lang for lang in i18n.LANGUAGES if lang in spring.copies] == ["en", "it", "fr", "pl", "ru"]


def test_a_wrong_value_names_file_field_and_reason(tree):
    edit(
        tree / "campaigns/spring.md",
        "referrer_reward: {type: credit, amount: 10, currency: EUR}",
        "referrer_reward: {type: credit, amount: -10, currency: EUR}",
    )
    assert problems(tree) == [("spring.md", "referrer_reward.amount", "Input should be greater than 0")]


def test_a_misspelt_field_is_named(tree):
    edit(tree / "campaigns/spring.md", "hold_days: 14", "hold_dayz: 14")
    assert problems(tree) == [("spring.md", "hold_dayz", "unknown field (check the spelling)")]


def test_rules_in_a_translation_are_refused(tree):
    edit(tree / "campaigns/spring.it.md", "title: Regala", "hold_days: 3\ntitle: Regala")
    assert problems(tree) == [
        ("spring.it.md", "hold_days", "rules belong in the default-language file spring.md")
    ]


def test_broken_yaml_gives_the_line(tree):
    edit(tree / "campaigns/club.md", "hold_days: 0", "hold_days: [0")
    ((name, field, reason),) = problems(tree)
    assert name == "club.md" and field.startswith("line ") and "YAML" in reason


def test_a_missing_brand_is_named(tree):
    edit(tree / "campaigns/club.md", "brand: acme", "brand: nobody")
    assert problems(tree) == [("club.md", "brand", "no brand file brands/nobody.yaml")]


def test_unreadable_brand_colours_are_refused(tree):
    edit(tree / "brands/acme.yaml", 'text: "#2b1d14"', 'text: "#dddddd"')
    ((name, field, reason),) = problems(tree)
    assert (name, field) == ("acme.yaml", "colours")
    assert "text on background" in reason and "WCAG AA" in reason


def test_an_orphan_translation_is_refused(tree):
    (tree / "campaigns/autumn.fr.md").write_text("---\ntitle: Automne\n---\nTexte\n")
    assert problems(tree) == [
        ("autumn.fr.md", "(file)", "translation of 'autumn', but campaigns/autumn.md does not exist")
    ]


def test_unsupported_languages_and_currencies_are_refused(tree):
    (tree / "campaigns/spring.de.md").write_text("---\ntitle: Frühling\n---\nText\n")
    edit(tree / "campaigns/club.md", "amount: 2, currency: EUR", "amount: 2, currency: XYZ")
    found = problems(tree)
    assert ("spring.de.md", "lang", "'de' is not one of en, it, fr, pl, ru") in found
    assert ("club.md", "second_level.reward.currency", "'XYZ' is not an ISO 4217 currency in use") in found


def test_a_withdrawn_currency_is_refused(tree):
    edit(tree / "campaigns/club.md", "amount: 2, currency: EUR", "amount: 2, currency: DEM")
    assert (
        "club.md",
        "second_level.reward.currency",
        "'DEM' is not an ISO 4217 currency in use",
    ) in problems(tree)


def test_the_rules_carry_every_currency_in_use_with_its_minor_unit():
    digits = compile_rules(content.load(ROOT / "content")).currency_digits
    assert len(digits) > 140
    assert (digits["EUR"], digits["USD"], digits["JPY"], digits["BHD"], digits["CHF"]) == (2, 2, 0, 3, 2)
    assert not {"ZZZ", "XXX", "XTS", "XAU", "DEM", "ITL", "HRK"} & set(digits)


def test_two_campaigns_cannot_share_a_code_prefix(tree):
    edit(tree / "campaigns/club.md", "code_prefix: CLUB", "code_prefix: SPRING")
    assert ("spring.md", "code_prefix", "'SPRING' is also 'club''s code prefix") in problems(tree) or (
        "club.md",
        "code_prefix",
        "'SPRING' is also 'spring''s code prefix",
    ) in problems(tree)


def test_every_problem_is_reported_at_once(tree):
    edit(tree / "campaigns/spring.md", "hold_days: 14", "hold_days: lots")
    edit(tree / "campaigns/club.md", "months: 1", "months: 0")
    found = {(name, field) for name, field, _ in problems(tree)}
    assert found == {("spring.md", "hold_days"), ("club.md", "referrer_reward.months")}


def test_rules_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    rules = compile_rules(content.load(ROOT / "content"))
    out = tmp_path / "rules.json"
    write_rules(rules, out)
    before = out.read_bytes()
    assert json.loads(before)["campaigns"]["spring"]["rules"]["slug"] == "spring"

    def fail(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Path, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_rules(rules, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rules.clicks.json", "rules.json"]


def test_fraud_modes_are_checked_with_file_and_field(tree):
    edit(
        tree / "campaigns/spring.md",
        "hold_days: 14",
        "hold_days: 14\nfraud:\n  same_clint: shadow\n  shared_address: maybe",
    )
    assert problems(tree) == [
        ("spring.md", "fraud.shared_address", "Input should be 'enforce', 'shadow' or 'off'"),
        ("spring.md", "fraud.same_clint", "unknown field (check the spelling)"),
    ]


def test_the_ask_after_a_purchase_is_checked_with_file_and_field(tree):
    edit(
        tree / "campaigns/spring.md",
        "ask: {after_days: 5, only_promoters: false}",
        "ask: {after_days: 30, only_promotors: true}\nemails: {purchase_ask: maybe}",
    )
    assert sorted(problems(tree)) == [
        ("spring.md", "ask.after_days", "Input should be less than or equal to 28"),
        ("spring.md", "ask.only_promotors", "unknown field (check the spelling)"),
        ("spring.md", "emails.purchase_ask", "Input should be a valid boolean, unable to interpret input"),
    ]


def test_fraud_modes_compile_into_the_rules_and_a_bare_off_means_off(tree, tmp_path):
    edit(
        tree / "campaigns/spring.md",
        "hold_days: 14",
        "hold_days: 14\nfraud: {same_client: enforce, shared_payment: off}",
    )
    rules = build_rules(tree, tmp_path / "rules.json")
    modes = rules.campaigns["spring"].rules.fraud
    assert (modes.same_client, modes.shared_payment, modes.existing_customer) == ("enforce", "off", "enforce")
    compiled = json.loads((tmp_path / "rules.json").read_text())
    assert compiled["campaigns"]["spring"]["rules"]["fraud"]["shared_payment"] == "off"


# --- the rewards' own words, per language ----------------------------------------------------

SPRING_IT_WORDS = "reward_words:\n  tiers:\n    - after: 5\n      description: una felpa Acme Roasters"


def test_a_translation_gives_its_rewards_own_words_and_they_compile_into_its_texts():
    rules = compile_rules(content.load(ROOT / "content"))
    spring = rules.campaigns["spring"]
    assert spring.texts["it"].own_words == {"An Acme Roasters hoodie": "una felpa Acme Roasters"}
    assert spring.texts["ru"].own_words == {"An Acme Roasters hoodie": "толстовка Acme Roasters"}
    assert spring.texts["en"].own_words == {}


def test_a_gift_cards_brand_a_charity_and_a_plan_are_translatable_too(tree):
    edit(
        tree / "campaigns/spring.md",
        "referrer_reward: {type: credit, amount: 10, currency: EUR}",
        "referrer_reward: {type: donation, amount: 5, currency: EUR, charity: Water for All}",
    )
    edit(
        tree / "campaigns/spring.md",
        "friend_reward: {type: coupon_percent, percent: 10}",
        "friend_reward: {type: gift_card, amount: 25, currency: EUR, brand: Bookshop}",
    )
    edit(
        tree / "campaigns/spring.it.md",
        SPRING_IT_WORDS,
        SPRING_IT_WORDS
        + "\n  referrer_reward: {charity: Acqua per tutti}\n  friend_reward: {brand: Libreria}",
    )
    texts = compile_rules(content.load(tree)).campaigns["spring"].texts["it"]
    assert texts.referrer_offer == "una donazione di 5\xa0€ a Acqua per tutti"
    assert texts.friend_offer == "una carta regalo Libreria da 25\xa0€"


@pytest.mark.parametrize(
    ("words", "field", "reason"),
    [
        (
            "reward_words:\n  tiers:\n    - after: 4\n      description: una felpa",
            "reward_words.tiers.0",
            "the rules have no tier after 4",
        ),
        (
            "reward_words:\n  referrer_reward: {description: dieci euro}",
            "reward_words.referrer_reward.description",
            "a credit reward has no description: it has no words of its own",
        ),
        (
            "reward_words:\n  tiers:\n    - after: 5\n      brand: Acme",
            "reward_words.tiers.0.brand",
            "a gift reward has no brand; translate its description",
        ),
        (
            "reward_words:\n  second_level: {charity: Acqua}",
            "reward_words.second_level",
            "the rules have no second level",
        ),
        (
            "reward_words:\n  tiers: [{after: 5, description: felpa}, {after: 5, description: tazza}]",
            "reward_words.tiers",
            "give each tier's words once",
        ),
        (
            "reward_words:\n  tiers:\n    - after: 5\n      descripton: una felpa",
            "reward_words.tiers.0.descripton",
            "unknown field (check the spelling)",
        ),
    ],
)
def test_a_translations_reward_words_must_name_words_the_rules_have(tree, words, field, reason):
    edit(tree / "campaigns/spring.it.md", SPRING_IT_WORDS, words)
    assert (("spring.it.md", field, reason)) in problems(tree)


def test_one_gifts_words_cannot_be_translated_two_ways(tree):
    edit(
        tree / "campaigns/spring.md",
        "tiers:\n  - after: 5",
        "tiers:\n  - after: 3\n    reward: {type: gift, description: An Acme Roasters hoodie}\n  - after: 5",
    )
    edit(
        tree / "campaigns/spring.it.md",
        SPRING_IT_WORDS,
        "reward_words:\n  tiers: [{after: 3, description: una felpa}, {after: 5, description: una maglia}]",
    )
    assert problems(tree) == [
        (
            "spring.it.md",
            "reward_words.tiers.1.description",
            "'An Acme Roasters hoodie' is translated otherwise at reward_words.tiers.0",
        )
    ]


def test_the_default_language_file_gives_its_rewards_words_in_its_rules(tree):
    edit(tree / "campaigns/spring.md", "attribution_days: 30", "attribution_days: 30\n" + SPRING_IT_WORDS)
    assert problems(tree) == [
        (
            "spring.md",
            "reward_words",
            "this file's rewards are in its own words; reward_words is for translations",
        )
    ]


# --- the logo in emails ----------------------------------------------------------------------


def test_the_email_logo_compiles_to_its_published_path_and_the_size_it_is_shown_at():
    brand = compile_rules(content.load(ROOT / "content")).brands["acme"]
    logo = brand.letterhead_logo
    assert logo is not None
    assert (logo.path, logo.width, logo.height) == ("/email/acme/email-logo.png", 180, 40)
    assert brand.colours.accent == "#f3e3d3"


def test_an_svg_cannot_be_the_email_logo(tree):
    edit(tree / "brands/acme.yaml", "email_logo: email-logo.png", "email_logo: logo.svg")
    assert problems(tree) == [
        (
            "acme.yaml",
            "email_logo",
            "as the emails' logo: mail clients show PNG, JPEG or GIF images only "
            "(Gmail and Outlook show no SVG)",
        )
    ]


def test_an_email_logo_that_is_not_what_its_name_says_is_refused(tree):
    (tree / "brands/acme/fake.png").write_bytes((tree / "brands/acme/logo.svg").read_bytes())
    edit(tree / "brands/acme.yaml", "email_logo: email-logo.png", "email_logo: fake.png")
    assert problems(tree) == [("acme.yaml", "email_logo", "as the emails' logo: is not an image")]


def test_without_a_raster_logo_emails_show_the_brands_name(tree):
    edit(tree / "brands/acme.yaml", "email_logo: email-logo.png\n", "")
    assert compile_rules(content.load(tree)).brands["acme"].letterhead_logo is None


def test_the_email_logos_size_is_the_builds_to_measure_not_the_brand_files(tree):
    edit(
        tree / "brands/acme.yaml",
        "email_logo: email-logo.png\n",
        "email_logo: email-logo.png\nletterhead_logo: {path: /x.png, width: 1, height: 1}\n",
    )
    assert problems(tree) == [
        ("acme.yaml", "letterhead_logo", "the build measures it: name the image in email_logo")
    ]


SHOP_ORIGINS = "shop_origins:\n  - https://shop.acme-roasters.example\n"


@pytest.mark.parametrize(
    ("origin", "reason"),
    [
        ("https://shop.acme-roasters.example/thank-you", "an origin has no path"),
        ("https://*.acme-roasters.example", "no path, query, fragment or wildcard"),
        ("shop.acme-roasters.example", "is not an origin: write scheme://host"),
        ("ftp://shop.acme-roasters.example", "is not an origin"),
        ("https://me@shop.acme-roasters.example", "is not an origin"),
        ("https://shop.acme-roasters.example:99999", "is not an origin"),
        ("http://shop.acme-roasters.example", "must be https (http is for localhost only)"),
    ],
)
def test_a_shop_origin_that_a_browser_never_sends_is_refused_with_file_and_field(tree, origin, reason):
    brand = tree / "brands" / "acme.yaml"
    edit(brand, SHOP_ORIGINS, f"{SHOP_ORIGINS}  - {origin}\n")
    ((file, field, said),) = problems(tree)
    assert (file, field) == ("acme.yaml", "shop_origins.1")
    assert reason in said
    assert origin in said


def test_one_origin_instead_of_a_list_is_refused(tree):
    edit(tree / "brands" / "acme.yaml", SHOP_ORIGINS, "shop_origins: https://shop.acme-roasters.example\n")
    assert problems(tree) == [
        ("acme.yaml", "shop_origins", "a list of origins, e.g. [https://shop.example.com]")
    ]


def test_shop_origins_compile_as_browsers_send_them(tree):
    edit(
        tree / "brands" / "acme.yaml",
        SHOP_ORIGINS,
        "shop_origins: [HTTPS://Shop.Acme-Roasters.example:443/, 'http://localhost:3000', "
        "'https://shop.acme-roasters.example', 'http://[::1]:8080']\n",
    )
    rules = compile_rules(content.load(tree))
    assert rules.brands["acme"].shop_origins == (
        "https://shop.acme-roasters.example",
        "http://localhost:3000",
        "http://[::1]:8080",
    )
    assert rules.shop_origins == {
        "https://shop.acme-roasters.example",
        "http://localhost:3000",
        "http://[::1]:8080",
    }


SECOND_BRAND = (
    "name: Other\nstore_url: https://b.example/\ncontact: hi@b.example\n"
    "colours: {primary: '#1a4d8f', on_primary: '#ffffff', background: '#ffffff', text: '#111111'}\n"
)


@pytest.mark.parametrize("second", ["other.yaml", "aaa.yaml"])
def test_a_second_brand_file_fails_the_build_naming_both_and_saying_how_to_run_it(tree, second):
    (tree / "brands" / second).write_text(SECOND_BRAND)
    with pytest.raises(content.ContentError) as raised:
        content.load(tree)
    first, other = sorted(["acme.yaml", second])
    found = [p for p in raised.value.problems if "second brand" in p.reason]
    assert [(p.file.name, p.field) for p in found] == [(other, "(file)")]
    said = found[0].reason
    assert f"brands/{other}" in said and f"brands/{first}" in said
    assert "one deployment serves one brand" in said
    assert "content folder of its own" in said and "stack of its own" in said


@pytest.mark.parametrize("root", [ROOT / "content", ROOT / "tests" / "fixtures" / "content"])
def test_the_sample_and_the_test_content_keep_one_brand_each(root):
    assert len(list((root / "brands").glob("*.yaml"))) == 1
    assert content.one_brand(root) == []


def test_a_brand_without_shop_origins_lets_no_shop_page_call_the_api(tree):
    edit(tree / "brands" / "acme.yaml", SHOP_ORIGINS, "")
    rules = compile_rules(content.load(tree))
    assert rules.shop_origins == frozenset()


def test_a_shop_origin_with_a_non_ascii_host_compiles_as_a_browser_sends_it():
    assert content.web_origin("https://café.example") == "https://xn--caf-dma.example"


def test_event_endpoints_are_compiled_into_the_rules_by_brand():
    rules = compile_rules(content.load(ROOT / "content"))
    (crm,) = rules.brands["acme"].webhooks
    assert (crm.id, crm.url) == ("crm", "https://crm.acme-roasters.example/hooks/passaparola")
    assert [e.id for e in rules.endpoints_for("spring", "reward.issued")] == ["crm"]


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "url: https://crm.acme-roasters.example/hooks/passaparola",
            "url: http://crm.acme-roasters.example/hooks",
            "webhooks.0.url",
            "String should match pattern",
        ),
        ("      - order.review\n", "      - order.reviewed\n", "webhooks.0.events.4", "Input should be"),
        ("  - id: crm\n", "  - id: CRM hooks\n", "webhooks.0.id", "String should match pattern"),
        (
            "      - referral.claimed\n",
            "      - referrer.enrolled\n",
            "webhooks.0.events",
            "each event type once",
        ),
    ],
)
def test_a_bad_event_endpoint_names_its_file_and_field(tree, old, new, field, reason):
    edit(tree / "brands/acme.yaml", old, new)
    ((name, found, said),) = problems(tree)
    assert (name, found) == ("acme.yaml", field)
    assert said.startswith(reason)


def test_two_endpoints_may_not_share_an_id_and_so_a_secret(tree):
    hook = "  - id: crm\n    url: https://other.acme-roasters.example/x\n    events: [reward.issued]\n"
    (tree / "brands/acme.yaml").write_text((tree / "brands/acme.yaml").read_text() + hook)
    assert problems(tree) == [
        ("acme.yaml", "webhooks.1.id", "endpoint id 'crm' is used twice (above); each endpoint needs its own")
    ]


def test_an_admin_may_be_given_the_language_of_their_emails(tree):
    edit(
        tree / "brands/acme.yaml",
        "admins: [owner@acme-roasters.example]",
        "admins: [owner@acme-roasters.example, {email: Negozio@Acme-Roasters.example, lang: it}]",
    )
    brand = compile_rules(content.load(tree)).brands["acme"]
    assert [(a.email, a.lang) for a in brand.admins] == [
        ("owner@acme-roasters.example", "en"),
        ("negozio@acme-roasters.example", "it"),
    ]
    edit(tree / "brands/acme.yaml", "lang: it}", "lang: de}")
    assert problems(tree) == [
        ("acme.yaml", "admins.1.lang", "Input should be 'en', 'it', 'fr', 'pl' or 'ru'")
    ]


def add_to_brand(tree: Path, text: str) -> None:
    path = tree / "brands/acme.yaml"
    path.write_text(path.read_text() + text)


def test_a_shop_and_a_payouts_provider_compile_into_the_brand_and_rules_says_what_they_do(tree):
    from passaparola_tools.cli import shop_line

    assert shop_line(compile_rules(content.load(tree)).brands["acme"]).startswith(
        "Shop none: codes and records"
    )
    add_to_brand(tree, "shop: {platform: stripe}\npayouts: {provider: tremendous, campaign: ABCD1234EFGH}\n")
    brand = compile_rules(content.load(tree)).brands["acme"]
    assert (brand.shop and brand.shop.platform, brand.payouts.provider) == ("stripe", "tremendous")
    assert shop_line(brand) == (
        "Shop stripe: friends' coupons and referrers' coupons, credit (customer balance) and free months "
        "(on monthly subscriptions) created there; cash, gift cards and donations paid through tremendous; "
        "gifts by hand"
    )


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (
            "shop: {platform: magento}\n",
            "shop.platform",
            "Input should be 'shopify', 'woocommerce' or 'stripe'",
        ),
        ("shop: {platform: woocommerce}\n", "shop", "url: woocommerce needs the shop's address"),
        ("shop: {platform: shopify, url: 'http://acme.myshopify.com'}\n", "shop.url", "String should match"),
        ("shop: {platform: stripe, key: sk_live_x}\n", "shop.key", "unknown field"),
        ("payouts: {provider: paypal}\n", "payouts.provider", "Input should be 'tremendous' or 'manual'"),
        ("payouts: {provider: tremendous}\n", "payouts", "campaign: Tremendous needs its campaign's id"),
        (
            "payouts: {provider: tremendous, products: {cash: [x]}}\n",
            "payouts.products.0",  # the kind is left out, as a reward type's tag is
            "String should match",
        ),
    ],
)
def test_a_bad_shop_or_payouts_names_its_file_and_field(tree, text, field, reason):
    add_to_brand(tree, text)
    ((name, found, said),) = problems(tree)
    assert (name, found) == ("acme.yaml", field)
    assert said.startswith(reason)
