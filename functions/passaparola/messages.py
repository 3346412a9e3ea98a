"""The emails we send, in the recipient's language, as plain text and as simple HTML."""

from __future__ import annotations

from html import escape

from passaparola import i18n
from passaparola.domain.campaign import BrandContact, CompiledCampaign
from passaparola.storage.mailer import Email

Paragraph = str | tuple[str, str]  # text, or (text, link)


def _render(to: str, subject: str, paragraphs: list[Paragraph]) -> Email:
    text_parts, html_parts = [], []
    for paragraph in paragraphs:
        if isinstance(paragraph, tuple):
            words, url = paragraph
            text_parts.append(f"{words}\n{url}")
            html_parts.append(f'<p>{escape(words)}<br><a href="{escape(url)}">{escape(url)}</a></p>')
        else:
            text_parts.append(paragraph)
            html_parts.append(f"<p>{escape(paragraph)}</p>")
    return Email(to=to, subject=subject, text="\n\n".join(text_parts) + "\n", html="\n".join(html_parts))


def _greeting(lang: str, name: str | None) -> str:
    return (
        i18n.text(lang, "email.greeting", name=name) if name else i18n.text(lang, "email.greeting.anonymous")
    )


def _footer(lang: str, brand: BrandContact) -> list[Paragraph]:
    return [
        i18n.text(lang, "email.signature", brand=brand.name),
        i18n.text(lang, "email.privacy", brand=brand.name, contact=brand.contact),
    ]


def welcome(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    brand: BrandContact,
    share_url: str,
    stats_url: str,
) -> Email:
    words = campaign.text(lang)
    if words.friend_offer:
        offers = i18n.text(
            lang, "email.welcome.offers", friend_offer=words.friend_offer, referrer_offer=words.referrer_offer
        )
    else:
        offers = i18n.text(lang, "email.welcome.offer_referrer_only", referrer_offer=words.referrer_offer)
    return _render(
        to,
        i18n.text(lang, "email.welcome.subject", campaign=words.title),
        [
            _greeting(lang, name),
            (i18n.text(lang, "email.welcome.intro", campaign=words.title, brand=brand.name), share_url),
            offers,
            (i18n.text(lang, "email.welcome.stats"), stats_url),
            *_footer(lang, brand),
        ],
    )


def reward_issued(
    *,
    to: str,
    lang: str,
    name: str | None,
    brand: BrandContact,
    reward: str,
    coupon_code: str | None,
    stats_url: str | None,
) -> Email:
    paragraphs: list[Paragraph] = [
        _greeting(lang, name),
        i18n.text(lang, "email.reward.intro", reward=reward),
    ]
    if coupon_code:
        paragraphs.append(i18n.text(lang, "email.reward.coupon", code=coupon_code))
        paragraphs.append((i18n.text(lang, "email.reward.shop"), brand.store_url))
    else:
        paragraphs.append(i18n.text(lang, "email.reward.fulfil", brand=brand.name))
    if stats_url:
        paragraphs.append((i18n.text(lang, "email.welcome.stats"), stats_url))
    return _render(
        to,
        i18n.text(lang, "email.reward.subject", brand=brand.name, reward=reward),
        [*paragraphs, *_footer(lang, brand)],
    )


def new_customers_only(*, to: str, lang: str, campaign: CompiledCampaign, brand: BrandContact) -> Email:
    """To an address that claimed an offer meant for new customers, having bought before."""
    title = campaign.text(lang).title
    return _render(
        to,
        i18n.text(lang, "email.existing.subject", campaign=title, brand=brand.name),
        [
            i18n.text(lang, "email.greeting.anonymous"),
            i18n.text(lang, "email.existing.body", campaign=title, brand=brand.name),
            (i18n.text(lang, "email.reward.shop"), brand.store_url),
            *_footer(lang, brand),
        ],
    )


def admin_sign_in(*, to: str, lang: str, brand: BrandContact, url: str, minutes: int) -> Email:
    """The console's sign-in link, to an address a brand file lists as an admin."""
    return _render(
        to,
        i18n.text(lang, "email.signin.subject", brand=brand.name),
        [
            i18n.text(lang, "email.greeting.anonymous"),
            (i18n.text(lang, "email.signin.body", brand=brand.name, minutes=minutes), url),
            i18n.text(lang, "email.signin.ignore"),
            i18n.text(lang, "email.signature", brand=brand.name),
        ],
    )
