"""The emails we send: each sentence written whole in the recipient's language, laid out in the
brand's colours with its logo (HTML), and as plain text.

Adding an email is one function here that returns `compose(...)` with its blocks, its words
in every catalog (passaparola/i18n), and its row in the README's table of emails (a test holds
the table to the functions here). Decide whether it answers something the person
just did (asking for their link, claiming an offer): such an email goes whatever they have
unsubscribed from. Any other email passes `unsubscribe=` (services.mail.Mail.unsubscribe
makes one) and `about=` (its campaign's title): it then carries List-Unsubscribe and one-click
unsubscribe (RFC 8058), a link to unsubscribe at its foot, and is not sent to an address that
unsubscribed from its campaign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from passaparola import i18n
from passaparola.domain.campaign import BrandColours, BrandContact, CompiledCampaign
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.records import Reward
from passaparola.domain.rewards import tier_reached
from passaparola.domain.vocabulary import COUPON_KINDS

# --- blocks an email is made of -------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    words: str


@dataclass(frozen=True)
class Button:
    """A call to action: its label says where it goes, so it reads well out of context."""

    label: str
    url: str


@dataclass(frozen=True)
class Address:
    """A link meant to be seen and copied whole, such as the personal link to share."""

    url: str


@dataclass(frozen=True)
class Code:
    """A code to type in (a coupon), set apart so it is easy to find and copy."""

    label: str
    code: str


Block = Paragraph | Button | Address | Code


@dataclass(frozen=True)
class Letterhead:
    """Who an email comes from: the brand, and the site its logo is published on."""

    brand: BrandContact
    site_url: str

    @property
    def logo_url(self) -> str | None:
        logo = self.brand.logo
        return f"{self.site_url.rstrip('/')}{logo.path}" if logo else None


# --- the emails -----------------------------------------------------------------------------


def welcome(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    share_url: str,
    stats_url: str,
) -> Email:
    """To a referrer who asked for their link: a direct answer."""
    brand, words = letterhead.brand, campaign.text(lang)
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.welcome.subject", campaign=words.title),
        blocks=[
            _greeting(lang, name),
            Paragraph(i18n.text(lang, "email.welcome.intro", campaign=words.title, brand=brand.name)),
            Address(share_url),
            Paragraph(_offers(lang, campaign)),
            *_stats(lang, stats_url),
        ],
    )


def friend_gift(
    *,
    to: str,
    lang: str,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    reward: Reward,
    use_by: date | None,
    join_url: str,
) -> Email:
    """To a friend who claimed an offer, their welcome gift with its conditions, and an
    invitation to refer friends in turn: a direct answer to the claim (and to a claim again,
    which sends it again)."""
    description = _described(reward, lang, campaign)
    brand = letterhead.brand.name
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.friend.subject", brand=brand, reward=description),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, "email.friend.intro", brand=brand, reward=description)),
            *_what_happens(reward, lang, letterhead, conditions=_conditions(campaign, lang, use_by)),
            *_join(lang, campaign, letterhead, join_url),
        ],
    )


def coupon_reminder(
    *,
    to: str,
    lang: str,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    reward: Reward,
    use_by: date,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a friend whose coupon is unused days before it ends: not an answer to anything."""
    description = _described(reward, lang, campaign)
    brand, day = letterhead.brand.name, i18n.day(use_by, lang)
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.reminder.subject", brand=brand, date=day),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, "email.reminder.body", brand=brand, reward=description)),
            *_what_happens(reward, lang, letterhead, conditions=_conditions(campaign, lang, use_by)),
        ],
        unsubscribe=unsubscribe,
        about=campaign.text(lang).title,
    )


def friend_claimed(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    stats_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a referrer, when a friend claims their offer. Who the friend is, it does not say."""
    rules, brand = campaign.rules, letterhead.brand.name
    reward = i18n.describe(rules.referrer_reward, lang, case="acc", words=campaign.text(lang).own_words)
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.claimed.subject", brand=brand),
        blocks=[
            _greeting(lang, name),
            Paragraph(i18n.text(lang, f"email.claimed.body.{rules.reward_on}", reward=reward)),
            *_stats(lang, stats_url),
        ],
        unsubscribe=unsubscribe,
        about=campaign.text(lang).title,
    )


def order_attributed(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    reward: Reward,
    released_on: date,
    stats_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a referrer, when a friend's first order is theirs: what it earned, and the day the
    refund window closes and the reward is released."""
    brand = letterhead.brand.name
    own = campaign.text(lang).own_words
    earned = i18n.describe(reward.spec, lang, reward.value, reward.currency, case="acc", words=own)
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.ordered.subject", brand=brand),
        blocks=[
            _greeting(lang, name),
            Paragraph(i18n.text(lang, "email.ordered.body", reward=earned)),
            Paragraph(i18n.text(lang, "email.ordered.release", date=i18n.day(released_on, lang))),
            *_stats(lang, stats_url),
        ],
        unsubscribe=unsubscribe,
        about=campaign.text(lang).title,
    )


def cap_reached(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    cap: int,
    stats_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a referrer whose referral took the last slot of the campaign's cap."""
    title = campaign.text(lang).title
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.cap.subject", campaign=title),
        blocks=[
            _greeting(lang, name),
            Paragraph(i18n.text(lang, "email.cap.body", count=cap, campaign=title)),
            Paragraph(i18n.text(lang, "email.cap.after")),
            *_stats(lang, stats_url),
        ],
        unsubscribe=unsubscribe,
        about=title,
    )


def referrer_nudge(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    share_url: str,
    stats_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a referrer whose link nobody has opened days after they asked for it: once."""
    title, brand = campaign.text(lang).title, letterhead.brand.name
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.nudge.subject", campaign=title),
        blocks=[
            _greeting(lang, name),
            Paragraph(i18n.text(lang, "email.nudge.body", campaign=title, brand=brand)),
            Address(share_url),
            Paragraph(_offers(lang, campaign)),
            *_stats(lang, stats_url),
        ],
        unsubscribe=unsubscribe,
        about=title,
    )


def purchase_ask(
    *,
    to: str,
    lang: str,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    join_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a buyer who is not enrolled, days after their order: an invitation to join, once per
    campaign. They never gave their address to the referral page, so its fine print says why
    they get it instead."""
    title, brand = campaign.text(lang).title, letterhead.brand.name
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.ask.subject", brand=brand),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, "email.ask.body", brand=brand, campaign=title)),
            Paragraph(_offers(lang, campaign)),
            Button(i18n.text(lang, "email.join.link"), join_url),
        ],
        unsubscribe=unsubscribe,
        about=title,
        because=(
            i18n.text(lang, "email.ask.privacy", brand=brand),
            i18n.text(lang, "email.ask.once", campaign=title),
        ),
    )


def reward_issued(
    *,
    to: str,
    lang: str,
    name: str | None,
    campaign: CompiledCampaign,
    letterhead: Letterhead,
    reward: Reward,
    stats_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To a referrer, when a reward has passed its hold and is issued: days after anything they
    did, so it carries an unsubscribe."""
    description = _described(reward, lang, campaign)
    brand = letterhead.brand.name
    after = tier_reached(reward)
    if after is not None:
        intro = i18n.text(lang, "email.reward.intro.tier", count=after, reward=description)
    else:
        role = "second_level" if reward.role == "second_level" else "referrer"
        intro = i18n.text(lang, f"email.reward.intro.{role}", brand=brand, reward=description)
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.reward.subject", brand=brand, reward=description),
        blocks=[
            _greeting(lang, name),
            Paragraph(intro),
            *_what_happens(reward, lang, letterhead),
            *_stats(lang, stats_url),
        ],
        unsubscribe=unsubscribe,
        about=campaign.text(lang).title,
    )


def new_customers_only(*, to: str, lang: str, campaign: CompiledCampaign, letterhead: Letterhead) -> Email:
    """To an address that claimed an offer meant for new customers, having bought before: a
    direct answer to the claim."""
    title, brand = campaign.text(lang).title, letterhead.brand
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.existing.subject", campaign=title, brand=brand.name),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, "email.existing.body", campaign=title, brand=brand.name)),
            Button(i18n.text(lang, "email.shop", brand=brand.name), brand.store_url),
        ],
    )


def admin_sign_in(*, to: str, lang: str, letterhead: Letterhead, url: str, minutes: int) -> Email:
    """The console's sign-in link, to an address a brand file lists as an admin."""
    return _private_link("email.signin", to=to, lang=lang, letterhead=letterhead, url=url, minutes=minutes)


def data_link(*, to: str, lang: str, letterhead: Letterhead, url: str, minutes: int) -> Email:
    """A person's link to see, download or delete what the kit holds about them."""
    return _private_link("email.mydata", to=to, lang=lang, letterhead=letterhead, url=url, minutes=minutes)


def _private_link(texts: str, *, to: str, lang: str, letterhead: Letterhead, url: str, minutes: int) -> Email:
    """A short-lived link the person just asked for: a direct answer to their request, so it
    carries no unsubscribe. `texts` is the i18n prefix of its subject, body, button and the
    line that says what to do if they did not ask."""
    brand = letterhead.brand.name
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, f"{texts}.subject", brand=brand),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, f"{texts}.body", brand=brand, minutes=minutes)),
            Button(i18n.text(lang, f"{texts}.button"), url),
            Paragraph(i18n.text(lang, f"{texts}.ignore")),
        ],
    )


def daily_digest(
    *,
    to: str,
    lang: str,
    letterhead: Letterhead,
    day: date,
    figures: Mapping[str, int],
    console_url: str,
    unsubscribe: Unsubscribe,
) -> Email:
    """To an admin, once a day: what the programme did the day before, and what waits for them.
    Nothing they just did, so it carries an unsubscribe. `figures`: each of DIGEST_FIGURES."""
    brand = letterhead.brand.name
    return compose(
        to=to,
        lang=lang,
        letterhead=letterhead,
        subject=i18n.text(lang, "email.digest.subject", brand=brand, date=day.isoformat()),
        blocks=[
            _greeting(lang, None),
            Paragraph(i18n.text(lang, "email.digest.intro", brand=brand, date=day.isoformat())),
            *(
                Paragraph(i18n.text(lang, f"email.digest.{name}", count=figures[name]))
                for name in DIGEST_FIGURES
            ),
            Button(i18n.text(lang, "email.digest.button"), console_url),
        ],
        unsubscribe=unsubscribe,
        about=i18n.text(lang, "email.digest.about", brand=brand),
    )


# What the daily digest says, in this order: the day's news, then what waits.
DIGEST_FIGURES = ("referrers", "claims", "orders", "to_fulfil", "reviews")


# --- parts several emails share -------------------------------------------------------------


def _greeting(lang: str, name: str | None) -> Paragraph:
    if name:
        return Paragraph(i18n.text(lang, "email.greeting", name=name))
    return Paragraph(i18n.text(lang, "email.greeting.anonymous"))


def _offers(lang: str, campaign: CompiledCampaign) -> str:
    """What the friends get and what the referrer gets for each, in one sentence or two."""
    rules, own = campaign.rules, campaign.text(lang).own_words
    referrer_offer = i18n.describe(rules.referrer_reward, lang, case="acc", words=own)
    if rules.friend_reward:
        friend_offer = i18n.describe(rules.friend_reward, lang, case="acc", words=own)
        return i18n.text(
            lang,
            f"email.welcome.offers.{rules.reward_on}",
            friend_offer=friend_offer,
            referrer_offer=referrer_offer,
        )
    only = f"email.welcome.offer_referrer_only.{rules.reward_on}"
    return i18n.text(lang, only, referrer_offer=referrer_offer)


def _conditions(campaign: CompiledCampaign, lang: str, use_by: date | None) -> list[str]:
    """A coupon's terms, a sentence each: the smallest order it is good for, and its last day."""
    said = []
    minimum = campaign.rules.min_purchase
    if minimum is not None:
        amount = i18n.money(minimum.amount, minimum.currency, lang)
        said.append(i18n.text(lang, "email.coupon.minimum", amount=amount))
    if use_by is not None:
        said.append(i18n.text(lang, "email.coupon.use_by", date=i18n.day(use_by, lang)))
    return said


def _join(lang: str, campaign: CompiledCampaign, letterhead: Letterhead, join_url: str) -> list[Block]:
    """The friend asked to refer in turn: the invite page, their address filled in, one tap."""
    brand = letterhead.brand.name
    return [
        Paragraph(i18n.text(lang, "email.join", brand=brand)),
        Paragraph(_offers(lang, campaign)),
        Button(i18n.text(lang, "email.join.link"), join_url),
    ]


def _stats(lang: str, stats_url: str) -> list[Block]:
    return [Paragraph(i18n.text(lang, "email.stats")), Button(i18n.text(lang, "email.stats.link"), stats_url)]


def _described(reward: Reward, lang: str, campaign: CompiledCampaign) -> str:
    own = campaign.text(lang).own_words
    return i18n.describe(reward.spec, lang, reward.value, reward.currency, words=own)


def _what_happens(
    reward: Reward, lang: str, letterhead: Letterhead, conditions: Sequence[str] = ()
) -> list[Block]:
    """What the reward becomes, in so many words: a coupon's code (and its `conditions`); for
    what the kit cannot issue itself, what the business does (pays it out, ships it, donates
    it in their name...)."""
    brand = letterhead.brand
    if reward.kind in COUPON_KINDS:
        if reward.coupon_code is None:
            raise ValueError(f"coupon {reward.reward_id} is emailed before it has its code")
        return [
            Code(i18n.text(lang, "email.coupon.label"), reward.coupon_code),
            Paragraph(" ".join([i18n.text(lang, "email.coupon.use"), *conditions])),
            Button(i18n.text(lang, "email.shop", brand=brand.name), brand.store_url),
        ]
    return [Paragraph(i18n.text(lang, f"email.reward.{reward.kind}", brand=brand.name))]


# --- layout ----------------------------------------------------------------------------------


def compose(
    *,
    to: str,
    lang: str,
    letterhead: Letterhead,
    subject: str,
    blocks: Sequence[Block],
    unsubscribe: Unsubscribe | None = None,
    about: str | None = None,
    because: tuple[str, str] | None = None,
) -> Email:
    """An email from its blocks, with the brand's header and the footer every email has (and,
    with `unsubscribe`, the way to stop such email about `about`, the campaign's title).
    `because` replaces the two sentences that say why the person gets it (the address was
    entered on the referral page; they take part in the campaign), for one that is not so."""
    brand = letterhead.brand
    footer: list[Block] = [
        Paragraph(i18n.text(lang, "email.signature", brand=brand.name)),
    ]
    why = because[0] if because else i18n.text(lang, "email.privacy", brand=brand.name)
    fine_print = [why, i18n.text(lang, "email.questions", contact=brand.contact)]
    stop = None
    if unsubscribe is not None:
        if not about:
            raise ValueError("an email that offers to unsubscribe says from what")
        stop = (
            because[1] if because else i18n.text(lang, "email.unsubscribe", campaign=about),
            i18n.text(lang, "email.unsubscribe.link"),
            unsubscribe.page_url,
        )
    return Email(
        to=to,
        subject=subject,
        text=_text([*blocks, *footer], fine_print, stop),
        html=_html(lang, subject, letterhead, [*blocks, *footer], fine_print, stop),
        lang=lang,
        sender_name=brand.name,
        reply_to=brand.contact,
        unsubscribe=unsubscribe,
    )


Stop = tuple[str, str, str] | None  # (why you get this, the link's words, the page's URL)


def _text(blocks: Sequence[Block], fine_print: Sequence[str], stop: Stop) -> str:
    parts = []
    for block in blocks:
        match block:
            case Paragraph(words):
                parts.append(words)
            # A label on its line and what it labels on the next: no punctuation between them,
            # which is not the same in every language (French puts a space before a colon).
            case Button(label, value) | Code(label, value):
                parts.append(f"{label}\n{value}")
            case Address(url):
                parts.append(url)
    parts.append("-- \n" + "\n".join(fine_print))
    if stop is not None:
        why, label, url = stop
        parts.append(f"{why}\n{label}\n{url}")
    return "\n\n".join(parts) + "\n"


def _html(
    lang: str,
    subject: str,
    letterhead: Letterhead,
    blocks: Sequence[Block],
    fine_print: Sequence[str],
    stop: Stop,
) -> str:
    """Table layout and inline styles, which every mail client renders; text in the brand's
    colours, in the pairs the build checked for contrast (text and links on the background,
    text on the accent, button text on the primary colour). Nothing is said only by an image:
    the logo has the brand's name as its alternative text, and the email reads whole without it."""
    brand, c = letterhead.brand, letterhead.brand.colours
    a = escape  # everything that is not our own markup
    body = "\n".join(_block_html(block, c) for block in blocks)
    small = f"margin:0 0 8px;font-size:14px;line-height:1.5;color:{c.text}"
    link = f"color:{c.primary};text-decoration:underline"
    fine = "\n".join(f'<p style="{small}">{_linked(line, brand.contact, link)}</p>' for line in fine_print)
    if stop is not None:
        why, label, url = stop
        fine += f'\n<p style="{small}">{a(why)} <a href="{a(url)}" style="{link}">{a(label)}</a></p>'
    heading = f"margin:0;font-size:20px;font-weight:bold;color:{c.text}"
    if letterhead.logo_url and brand.logo:
        masthead = (
            f'<img src="{a(letterhead.logo_url)}" width="{brand.logo.width}" height="{brand.logo.height}" '
            f'alt="{a(brand.name)}" style="display:block;border:0;max-width:100%;{heading}">'
        )
    else:
        masthead = f'<p style="{heading}">{a(brand.name)}</p>'
    font = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
    table = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"'
    return f"""<!doctype html>
<html lang="{a(lang)}" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="supported-color-schemes" content="light">
<title>{a(subject)}</title>
</head>
<body style="margin:0;padding:0;background:{c.background};color:{c.text};{font}">
<table {table} style="background:{c.background}">
<tr><td align="center" style="padding:16px 8px">
<table {table} style="max-width:600px">
<tr><td style="background:{c.accent};padding:16px 24px;border-radius:8px 8px 0 0">{masthead}</td></tr>
<tr><td style="padding:24px;font-size:16px;line-height:1.5;color:{c.text};{font}">
{body}
</td></tr>
<tr><td style="padding:16px 24px 24px;border-top:2px solid {c.accent};{font}">
{fine}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""


def _block_html(block: Block, c: BrandColours) -> str:
    a = escape
    paragraph = f"margin:0 0 16px;color:{c.text}"
    match block:
        case Paragraph(words):
            return f'<p style="{paragraph}">{a(words)}</p>'
        case Button(label, url):
            button = (
                f"display:inline-block;padding:12px 20px;background:{c.primary};color:{c.on_primary};"
                "border-radius:6px;font-weight:bold;text-decoration:none"
            )
            return f'<p style="margin:0 0 24px"><a href="{a(url)}" style="{button}">{a(label)}</a></p>'
        case Address(url):
            link = f"color:{c.primary};text-decoration:underline;font-weight:bold"
            shown = f'<a href="{a(url)}" style="{link}">{a(url)}</a>'
            return f'<p style="{paragraph};word-break:break-all">{shown}</p>'
        case Code(label, code):
            box = (
                f"margin:0 0 16px;padding:12px 16px;background:{c.accent};color:{c.text};"
                "font-family:ui-monospace,Menlo,Consolas,monospace;font-size:22px;font-weight:bold;"
                "letter-spacing:1px;border-radius:6px"
            )
            return f'<p style="margin:0 0 8px;color:{c.text}">{a(label)}</p><p style="{box}">{a(code)}</p>'
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover - the union is closed


def _linked(line: str, contact: str, style: str) -> str:
    """A sentence of the fine print, its contact address as a mailto link."""
    escaped, address = escape(line), escape(contact)
    return escaped.replace(address, f'<a href="mailto:{address}" style="{style}">{address}</a>', 1)
