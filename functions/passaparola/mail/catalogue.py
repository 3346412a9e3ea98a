"""The emails we send: each sentence written whole in the recipient's language, laid out in the
brand's colours with its logo (HTML), and as plain text.

Adding an email is one function here that returns `compose(...)` (mail/layout.py) with its
blocks, its words in every catalog (passaparola/i18n), and its row in the README's table of
emails (a test holds the table to the functions here). Decide whether it answers something the
person just did (asking for their link, claiming an offer): such an email goes whatever they
have unsubscribed from. Any other email passes `unsubscribe=` (services.mail.Mail.unsubscribe
makes one) and `about=` (its campaign's title): it then carries List-Unsubscribe and one-click
unsubscribe (RFC 8058), a link to unsubscribe at its foot, and is not sent to an address that
unsubscribed from its campaign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from passaparola import i18n
from passaparola.domain.campaign import CompiledCampaign
from passaparola.domain.mail import Email, Unsubscribe
from passaparola.domain.records import Reward
from passaparola.domain.rewards import tier_reached
from passaparola.domain.vocabulary import COUPON_KINDS
from passaparola.mail.layout import Address, Block, Button, Code, Letterhead, Paragraph, compose

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
    """What the reward becomes, in so many words: a coupon's code (and its `conditions`); what
    a platform did with it (credit on the account, a free month on the subscription, a payout
    on its way); for what no platform issued, what the business does (pays it out, ships it,
    donates it in their name...)."""
    brand = letterhead.brand
    issued_on = reward.issued_on
    if reward.kind in COUPON_KINDS or (issued_on is not None and issued_on.kind == "coupon"):
        if reward.coupon_code is None:
            raise ValueError(f"coupon {reward.reward_id} is emailed before it has its code")
        if reward.kind not in COUPON_KINDS:  # credit as a coupon (WooCommerce): for them alone
            conditions = [*conditions, i18n.text(lang, "email.coupon.yours")]
        return [
            Code(i18n.text(lang, "email.coupon.label"), reward.coupon_code),
            Paragraph(" ".join([i18n.text(lang, "email.coupon.use"), *conditions])),
            Button(i18n.text(lang, "email.shop", brand=brand.name), brand.store_url),
        ]
    if issued_on is not None:  # done on a platform: what happened, not what the business will do
        return [Paragraph(i18n.text(lang, f"email.reward.issued.{issued_on.kind}", brand=brand.name))]
    return [Paragraph(i18n.text(lang, f"email.reward.{reward.kind}", brand=brand.name))]
