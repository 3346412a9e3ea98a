"""The campaign's rules and the page states in words, in each language, from the catalogs the
emails share (passaparola/i18n) and formatted by locale with Babel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date

from passaparola import i18n
from passaparola.domain.campaign import CampaignRules, Channel
from passaparola.domain.stats_page import BOARD_DEPTH
from passaparola.domain.vocabulary import (
    FRIEND_STATUSES,
    INVALID_CODE_REASONS,
    REASONS,
    REWARD_STATUSES,
    ROLES,
    ErrorCode,
)
from passaparola_pages.share import NETWORK_NAMES

ScriptPage = Literal["invite", "landing", "stats", "unsubscribe", "my_data", "admin"]
Translate = Callable[..., str]

# API error names (the `error` of a 4xx answer) and the words a person reads instead.
API_ERRORS: dict[ErrorCode, str] = {
    "disposable_email": "site.error.disposable",
    "rejected_email": "site.error.disposable",
    "invalid_request": "site.error.email",
    "invalid_input": "site.error.email",
    "campaign_inactive": "site.error.closed",
    "unknown_campaign": "site.error.closed",
    "self_referral": "site.error.self_referral",
    "invalid_code": "site.error.invalid_code",
    "invalid_token": "site.stats.invalid",
}
# The console's words its script puts in place (the template has the rest), by key under site.admin.
ADMIN_SCRIPT_WORDS = (
    "signin.sent", "signin.opening", "signin.invalid", "signin.expired", "loading", "clicks", "claims",
    "orders", "baseline", "not_enough", "significant", "not_significant", "nothing", "for", "issued",
    "review.done.approve", "review.done.reject", "chart.alt",
)  # fmt: skip
# Why GET /codes/{code} refuses a code, and "missing" for a landing page without one.
CODE_PROBLEMS = (*INVALID_CODE_REASONS, "missing")


@dataclass(frozen=True)
class Step:
    title: str
    text: str


def language_name(lang: str) -> str:
    """The language's name in itself, capitalised for a menu: "Italiano", "Русский"."""
    name = str(Locale.parse(lang).get_display_name(lang))
    return name[:1].upper() + name[1:]


def long_date(day: date, lang: str) -> str:
    return str(format_date(day, format="long", locale=lang))


def conditions(rules: CampaignRules, lang: str, own: Mapping[str, str]) -> tuple[str, ...]:
    """The rules at a glance, in words, straight from what the functions enforce; `own` are the
    rewards' own words in this language."""
    t: Translate = partial(i18n.text, lang)
    found = []
    if rules.min_purchase:
        minimum = i18n.money(rules.min_purchase.amount, rules.min_purchase.currency, lang)
        found.append(t("site.rule.min_purchase", amount=minimum))
    if rules.hold_days:
        found.append(t(f"site.rule.hold.{rules.reward_on}", count=rules.hold_days))
    else:
        found.append(t("site.rule.hold.none"))
    if rules.max_rewards_per_referrer:
        found.append(t("site.rule.max_rewards", count=rules.max_rewards_per_referrer))
    found.extend(
        t("site.rule.tier", count=tier.after, reward=i18n.describe(tier.reward, lang, words=own))
        for tier in rules.tiers
    )
    if rules.second_level:
        bonus = i18n.describe(rules.second_level.reward, lang, words=own)
        found.append(t("site.rule.second_level", reward=bonus))
    if rules.reward_on == "purchase":
        found.append(t("site.rule.attribution", count=rules.attribution_days))
    if rules.starts and rules.ends:
        found.append(
            t("site.rule.dates", start=long_date(rules.starts, lang), end=long_date(rules.ends, lang))
        )
    elif rules.ends:
        found.append(t("site.rule.dates.end", end=long_date(rules.ends, lang)))
    elif rules.starts:
        found.append(t("site.rule.dates.start", start=long_date(rules.starts, lang)))
    found.append(t("site.rule.self"))
    return tuple(found)


def closed_notice(rules: CampaignRules, lang: str, now: datetime) -> str | None:
    """Why enrolment is closed at the time of the build, or None while it is open."""
    state = rules.state_at(now)
    if state == "ended" and rules.ends:
        return i18n.text(lang, "site.invite.closed.ended", date=long_date(rules.ends, lang))
    if state == "not_started" and rules.starts:
        return i18n.text(lang, "site.invite.closed.not_started", date=long_date(rules.starts, lang))
    if state == "paused":
        return i18n.text(lang, "site.invite.closed.paused")
    return None


def steps(rules: CampaignRules, lang: str, referrer_offer: str, friend_offer: str | None) -> tuple[Step, ...]:
    """How it works, in three steps."""
    t: Translate = partial(i18n.text, lang)
    share = t("site.step.share.offer", offer=friend_offer) if friend_offer else t("site.step.share")
    return (
        Step(t("site.step.enrol.title"), t("site.step.enrol")),
        Step(t("site.step.share.title"), share),
        Step(t("site.step.reward.title"), t(f"site.step.reward.{rules.reward_on}", offer=referrer_offer)),
    )


def channel_label(channel: Channel, lang: str) -> str:
    return NETWORK_NAMES.get(channel) or i18n.text(lang, f"site.share.channel.{channel}")


def script_texts(kind: ScriptPage, lang: str, friend_offer: str | None, brand_name: str) -> dict[str, Any]:
    """The words the page script needs, in the page's language. It fills the placeholders
    ({name}, {offer}, {date}, {code}) itself, as text."""
    t: Translate = partial(i18n.text, lang)
    texts: dict[str, Any] = {
        "errors": {name: t(key) for name, key in API_ERRORS.items()},
        "network": t("site.error.network"),
        "generic": t("site.error.generic"),
        "busy": t("site.error.busy"),
        "sending": t("site.form.sending"),
        "copied": t("site.share.copied"),
        "copy_failed": t("site.share.copy_failed"),
    }
    if kind == "invite":
        texts["enrolled"] = t("site.invite.enrolled")
    elif kind == "landing":
        texts |= {
            "gift": t("site.landing.gift", name="{name}", offer="{offer}"),
            "gift_anonymous": t("site.landing.gift.anonymous", offer="{offer}"),
            "invited": t("site.landing.invited", name="{name}", brand=brand_name),
            "invited_anonymous": t("site.landing.invited.anonymous", brand=brand_name),
            "offer": friend_offer,
            "checking": t("site.landing.checking"),
            "invalid": {reason: t(f"site.landing.invalid.{reason}") for reason in CODE_PROBLEMS},
            "claimed": t("site.landing.claimed.new"),
            "claimed_emailed": t("site.landing.claimed.emailed"),
        }
    elif kind == "admin":
        texts |= {key: t(f"site.admin.{key}") for key in ADMIN_SCRIPT_WORDS}
        texts |= {
            "signed_in": t("site.admin.signed_in", email="{email}"),
            "fulfil_done": t("site.admin.fulfil.done", reference="{reference}"),
            "reasons": {reason: t(f"site.admin.reason.{reason}") for reason in REASONS},
            "statuses": {status: t(f"site.stats.status.{status}") for status in REWARD_STATUSES},
        }
    elif kind == "unsubscribe":
        texts["errors"] |= {"invalid_token": t("site.unsubscribe.invalid")}
        texts |= {
            "done": t("site.unsubscribe.done", campaign="{campaign}"),
            "missing": t("site.unsubscribe.missing"),
        }
    elif kind == "my_data":
        texts["errors"] |= {"invalid_token": t("site.mydata.invalid")}
        texts |= {
            key: t(f"site.mydata.{key}")
            for key in ("sent", "loading", "invalid", "found", "nothing", "deleted")
        }
        texts["confirm_sent"] = t("site.mydata.confirm_sent", email="{email}")
    else:
        texts |= {
            "statuses": {status: t(f"site.stats.status.{status}") for status in REWARD_STATUSES},
            "roles": {role: t(f"site.stats.role.{role}") for role in ROLES},
            "held_until": t("site.stats.status.held_until", date="{date}"),
            "issued_on": t("site.stats.status.issued_on", date="{date}"),
            "coupon": t("site.stats.coupon", code="{code}"),
            "missing": t("site.stats.missing"),
            "next_tier": plural_forms(lang, "site.stats.progress.next", reward="{reward}"),
            "bar": t("site.stats.progress.bar", count="{count}", after="{after}"),
            "cap_used": t("site.stats.cap.used", used="{used}", max="{max}"),
            "cap_rule": plural_forms(lang, "site.rule.max_rewards"),
            "anonymous": t("site.stats.friends.anonymous"),
            "claimed_on": t("site.stats.friends.claimed_on", date="{date}"),
            "friend_statuses": {status: t(f"site.stats.friend.{status}") for status in FRIEND_STATUSES},
            "ordered_until": t("site.stats.friend.ordered_until", date="{date}"),
            "more_friends": plural_forms(lang, "site.stats.friends.more", shown="{shown}"),
            "board_orders": plural_forms(lang, "site.stats.board.orders"),
            "board_friends": plural_forms(lang, "site.stats.board.friends"),
            "board_place": t("site.stats.board.place", place="{place}"),
            "board_beyond": t("site.stats.board.beyond", count=BOARD_DEPTH),
            "board_you": t("site.stats.board.you"),
        }
        texts |= {key: t(f"site.stats.board.{key}") for key in ("unranked", "joined", "left", "need_name")}
    return texts


def plural_forms(lang: str, key: str, **values: object) -> dict[str, str]:
    """A plural string's forms by CLDR category, for a script that knows the count only later
    (it picks one with Intl.PluralRules, from the same CLDR data as Babel); `{count}` is kept."""
    entry = i18n.catalog(lang).get(key) or i18n.catalog(i18n.DEFAULT)[key]
    if not isinstance(entry, dict):
        raise ValueError(f"{key} is not a plural string")
    return {category: str(form).format(count="{count}", **values) for category, form in entry.items()}
