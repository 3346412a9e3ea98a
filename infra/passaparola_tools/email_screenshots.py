"""`passaparola screenshots emails`: pictures of three emails in two languages, for the README.

The emails are the very messages the functions send (passaparola.mail.catalogue, with the rules
compiled from content/), with sample people and links; Debian's Chromium draws their HTML part
at a mail client's width, with the brand's email logo loaded as a mail client would load it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from passaparola import site_paths
from passaparola.domain.campaign import CompiledCampaign, RewardSpec, Rules
from passaparola.domain.emails import PersonKeys
from passaparola.domain.lifecycle import coupon_last_day
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.records import Owner, Reward
from passaparola.domain.rewards import tier_reward_id
from passaparola.domain.vocabulary import Role
from passaparola.mail import catalogue
from passaparola.mail.layout import Letterhead
from passaparola_build import paths
from passaparola_build.content import load
from passaparola_build.rules import compile_rules
from passaparola_tools import chromium

DOCS = paths.ROOT / "docs" / "emails"
LANGS = ("en", "ru")
CAMPAIGN = "spring"  # the sample campaign: a coupon for the friend, a milestone gift, all five languages
WIDTH = 640  # CSS pixels: about what a mail client's reading pane gives an email
SITE = "https://refer.acme-roasters.example"  # what the sample links show; nothing is fetched from it
_SAMPLE_KEYS = PersonKeys(b"sample pepper")  # the samples' links name people as a deployment would


@dataclass(frozen=True)
class Shot:
    name: str
    lang: str
    email: Email

    @property
    def file(self) -> str:
        return f"{self.name}.{self.lang}.png"


def samples(rules: Rules, campaign: CompiledCampaign, lang: str, site_url: str) -> list[Shot]:
    """The welcome, the friend's coupon and a milestone reward, as `lang` speakers get them."""
    slug, code = campaign.rules.slug, f"{campaign.rules.prefix}-7KQMX2R9P"
    letterhead = Letterhead(rules.brands[campaign.rules.brand], site_url)
    stats = f"{SITE}{site_paths.stats(lang)}#t={code}.1796000000.sample"
    now = datetime(2026, 11, 30, 9, tzinfo=UTC)

    def reward(
        owner: Owner, reward_id: str, role: Role, spec: RewardSpec, coupon: str | None = None
    ) -> Reward:
        return Reward(
            owner=owner,
            reward_id=reward_id,
            role=role,
            spec=spec,
            value=None,
            currency=None,
            hold_days=0,
            campaign=slug,
            code=code,
            status="issued",
            created_at=now,
            coupon_code=coupon,
        )

    shots = [
        Shot(
            "welcome",
            lang,
            catalogue.welcome(
                to="anna@example.com",
                lang=lang,
                name="Anna",
                campaign=campaign,
                letterhead=letterhead,
                share_url=f"{SITE}/r/{code}",
                stats_url=stats,
            ),
        )
    ]
    if campaign.rules.friend_reward:
        gift = reward(
            Owner.friend(_SAMPLE_KEYS.of("marco@example.com")),
            f"friend-{slug}",
            "friend",
            campaign.rules.friend_reward,
            f"{campaign.rules.prefix}-T7CRSKJW",
        )
        coupon = catalogue.friend_gift(
            to="marco@example.com",
            lang=lang,
            campaign=campaign,
            letterhead=letterhead,
            reward=gift,
            use_by=coupon_last_day(now, campaign.rules),
            join_url=f"{SITE}{site_paths.invite(slug, lang)}#email=marco%40example.com",
        )
        shots.append(Shot("friend-coupon", lang, coupon))
    tier = campaign.rules.tiers[0] if campaign.rules.tiers else None
    earned = (
        reward(Owner.referrer(code), tier_reward_id(tier), "tier", tier.reward)
        if tier
        else reward(Owner.referrer(code), "order-1001", "referrer", campaign.rules.referrer_reward)
    )
    token = f"{slug}.{_SAMPLE_KEYS.of('anna@example.com')}.sample"
    stop = Unsubscribe(
        _SAMPLE_KEYS.of("anna@example.com"),
        slug,
        f"{SITE}/unsubscribe/{token}",
        f"{SITE}{site_paths.unsubscribe(lang)}#t={token}",
    )
    issued = catalogue.reward_issued(
        to="anna@example.com",
        lang=lang,
        name="Anna",
        campaign=campaign,
        letterhead=letterhead,
        reward=earned,
        stats_url=stats,
        unsubscribe=stop,
    )
    shots.append(Shot("reward-issued", lang, issued))
    return shots


def render(out: Path = DOCS, langs: Iterable[str] = LANGS, content: Path = paths.CONTENT) -> list[Path]:
    """Write one PNG per email and language into `out`; returns the files."""
    from playwright.sync_api import sync_playwright  # a dev dependency, for this command alone

    loaded = load(content)
    rules = compile_rules(loaded)
    campaign = (
        rules.campaigns[CAMPAIGN] if CAMPAIGN in rules.campaigns else next(iter(rules.campaigns.values()))
    )
    chromium.ensure()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="passaparola-emails-") as folder:
        site = Path(folder)
        # The logo where emails link it from, in a folder standing in for the published site.
        for slug, brand in loaded.brands.items():
            if brand.email_image:
                target = site / site_paths.email_image(slug, brand.email_image).lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(loaded.brand_dir(slug) / brand.email_image, target)
        shots = [shot for lang in langs for shot in samples(rules, campaign, lang, site.as_uri())]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium.CHROMIUM), args=list(chromium.ARGS)
            )
            page = browser.new_page(viewport={"width": WIDTH, "height": 480})
            for shot in shots:
                html = site / f"{shot.name}.{shot.lang}.html"
                html.write_text(shot.email.html, encoding="utf-8")
                page.goto(html.as_uri())
                page.screenshot(path=str(out / shot.file), full_page=True)
                written.append(out / shot.file)
            browser.close()
    return written
