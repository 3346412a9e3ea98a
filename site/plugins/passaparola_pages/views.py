"""What the pages show of a campaign, worked out from content/ as plain data; the templates
only lay it out. Decided at build time from the campaign files, read through
passaparola_build.content (the one source of truth); what only the browser knows (the referrer's
name, the personal link, the stats) the page script fills in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Literal
from urllib.parse import urlsplit

from markupsafe import Markup

from passaparola import i18n, site_paths
from passaparola.domain.campaign import Channel, Variant
from passaparola_build.content import Brand, Campaign
from passaparola_pages import words
from passaparola_pages.share import ShareLink, share_links

Markdown = Callable[[str], str]


@dataclass(frozen=True)
class SharePanel:
    channels: tuple[Channel, ...]
    links: dict[Channel, ShareLink]
    labels: dict[Channel, str]
    message: str
    subject: str
    qr_filename: str


@dataclass(frozen=True)
class ShareCard:
    """The picture link previews show (Open Graph, Twitter cards), drawn at build."""

    name: str
    brand: str
    eyebrow: str
    heading: str
    text: str
    footer: str


@dataclass(frozen=True)
class CampaignView:
    slug: str
    lang: str
    brand: str
    title: str
    headline: str
    summary: str
    body_html: Markup
    terms_html: Markup | None
    referrer_offer: str
    referrer_note: str
    friend_offer: str | None
    # What the friend's page says before it knows who invited them, and without script.
    landing_heading: str
    # Under it: the headline of the A/B variant the click chose, or else the first one's.
    landing_lede: str
    steps: tuple[words.Step, ...]
    conditions: tuple[str, ...]
    # The variant ids the functions know (the default language's); `variants` are this
    # language's headlines for them.
    variant_ids: tuple[str, ...]
    variants: tuple[Variant, ...]
    share: SharePanel
    closed_notice: str | None
    invite_path: str
    landing_path: str
    terms_path: str


@dataclass(frozen=True)
class Listing:
    """A campaign on an index page: its own words (maybe in its default language), and its
    rewards in the index's language."""

    title: str
    summary: str
    lang: str
    invite_path: str
    referrer_offer: str
    friend_offer: str | None
    closed_notice: str | None


def _share_panel(campaign: Campaign, lang: str, brand: Brand, friend_offer: str | None) -> SharePanel:
    rules, copy = campaign.rules, campaign.copies[lang]
    t = partial(i18n.text, lang)
    message = copy.share_message or (
        t("site.share.message", brand=brand.name, offer=friend_offer)
        if friend_offer
        else t("site.share.message.no_offer", brand=brand.name)
    )
    subject = copy.email_subject or t("site.share.subject", brand=brand.name)
    links = share_links(rules.channels, message, subject)
    return SharePanel(
        channels=rules.channels,
        links=links,
        labels={channel: words.channel_label(channel, lang) for channel in links},
        message=message,
        subject=subject,
        qr_filename=f"{rules.slug}-qr.svg",
    )


def campaign_view(
    campaign: Campaign, lang: str, brand: Brand, now: datetime, markdown: Markdown
) -> CampaignView:
    rules, copy, own = campaign.rules, campaign.copies[lang], campaign.own_words(lang)
    referrer_offer = i18n.describe(rules.referrer_reward, lang, words=own)
    friend_offer = i18n.describe(rules.friend_reward, lang, words=own) if rules.friend_reward else None
    landing_heading = (
        i18n.text(lang, "site.landing.gift.anonymous", offer=friend_offer)
        if friend_offer
        else i18n.text(lang, "site.landing.invited.anonymous", brand=brand.name)
    )
    return CampaignView(
        slug=rules.slug,
        lang=lang,
        brand=rules.brand,
        title=copy.title,
        headline=copy.headline or copy.title,
        summary=copy.summary or "",
        body_html=Markup(markdown(campaign.bodies[lang])),  # noqa: S704 - the business's own Markdown
        terms_html=Markup(markdown(copy.terms)) if copy.terms else None,  # noqa: S704 - same
        referrer_offer=referrer_offer,
        referrer_note=i18n.text(lang, f"site.invite.per_friend.{rules.reward_on}"),
        friend_offer=friend_offer,
        landing_heading=landing_heading,
        landing_lede=copy.variants[0].headline if copy.variants else copy.summary or "",
        steps=words.steps(rules, lang, referrer_offer, friend_offer),
        conditions=words.conditions(rules, lang, own),
        variant_ids=tuple(v.id for v in campaign.copies[campaign.default_lang].variants),
        variants=copy.variants,
        share=_share_panel(campaign, lang, brand, friend_offer),
        closed_notice=words.closed_notice(rules, lang, now),
        invite_path=site_paths.invite(rules.slug, lang),
        landing_path=site_paths.landing(rules.slug, lang),
        terms_path=site_paths.terms(rules.slug, lang),
    )


def listing(campaign: Campaign, lang: str, now: datetime) -> Listing:
    rules = campaign.rules
    words_lang = lang if lang in campaign.copies else campaign.default_lang
    copy, own = campaign.copies[words_lang], campaign.own_words(lang)
    return Listing(
        title=copy.title,
        summary=copy.summary or copy.headline or "",
        lang=words_lang,
        invite_path=site_paths.invite(rules.slug, words_lang),
        referrer_offer=i18n.describe(rules.referrer_reward, lang, words=own),
        friend_offer=i18n.describe(rules.friend_reward, lang, words=own) if rules.friend_reward else None,
        closed_notice=words.closed_notice(rules, lang, now),
    )


def share_card(view: CampaignView, brand: Brand, kind: Literal["invite", "landing"]) -> ShareCard:
    """The invite page's card speaks to referrers, the landing page's to the friend."""
    store = urlsplit(brand.store_url).hostname or brand.name
    if kind == "invite":
        heading, text = view.title, view.summary or view.headline
    else:
        heading, text = view.landing_heading, view.landing_lede
    return ShareCard(f"{view.slug}.{view.lang}.{kind}", view.brand, brand.name, heading, text, store)
