"""/widget.js: the invite panel a shop puts on its own pages (the order confirmation, say).

One file at a fixed address, so a shop's <script> tag never changes: the panel's script
(theme/static/widget.js) with what it shows built in, per campaign and language (the words of
the campaign's invite page and share panel) and per brand (name and colours). It asks nothing
of our site but the API, and nothing of anyone else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from passaparola import i18n
from passaparola_build.content import Content
from passaparola_pages import words
from passaparola_pages.share import NETWORK_NAMES
from passaparola_pages.views import CampaignView

PATH = "widget.js"
# The script's placeholder for its data: a valid (empty) JavaScript object as it stands.
DATA_MARK = "/*DATA*/{}"

_TEXTS = {
    "email": "site.form.email",
    "email_hint": "site.invite.form.email_hint",
    "submit": "site.invite.form.submit",
    "share_title": "site.share.title",
    "link": "site.share.link",
    "copy": "site.share.copy",
    "channels": "site.share.channels",
    "native": "site.share.native",
    "qr": "site.share.qr",
    "qr_alt": "site.share.qr.alt",
    "qr_hint": "site.share.qr.hint",
    "new_tab": "site.share.new_tab",
    "you_get": "site.invite.you_get",
    "friend_gets": "site.invite.friend_gets",
}


# The errors POST /referrers answers with a word of their own (the rest read "generic"), by
# the catalogue key of those words: several errors share one sentence, written once.
ERRORS = {
    name: key
    for name, key in words.API_ERRORS.items()
    if name not in ("self_referral", "invalid_code", "invalid_token")
}


def _texts(lang: str) -> dict[str, Any]:
    shared = words.script_texts("invite", lang, None, "")
    del shared["errors"]
    labels = {f"channel_{channel}": words.channel_label(channel, lang) for channel in ("email", "sms")}
    errors = {key: i18n.text(lang, key) for key in ERRORS.values()}
    return shared | labels | errors | {name: i18n.text(lang, key) for name, key in _TEXTS.items()}


def _campaign_words(view: CampaignView) -> dict[str, Any]:
    """The campaign's words in one language. The script builds the share URLs from the message
    and subject as share.share_href does (a browser test holds the two to each other): the
    message, URL-encoded in every one of them, would weigh more than the script."""
    return {
        "title": view.title,
        "offer": view.referrer_offer,
        "note": view.referrer_note,
        "friend": view.friend_offer,
        "message": view.share.message,
        "subject": view.share.subject,
        "channels": view.share.channels,
    }


def widget_data(views: Iterable[CampaignView], content: Content, api_url: str) -> dict[str, Any]:
    """What the panel shows: every campaign in every language it is written in, its brand's
    name and colours, and the panel's own words in those languages."""
    campaigns: dict[str, dict[str, Any]] = {}
    for view in views:
        campaign = content.campaigns[view.slug]
        entry = campaigns.setdefault(
            view.slug, {"brand": view.brand, "lang": campaign.default_lang, "words": {}}
        )
        entry["words"][view.lang] = _campaign_words(view)
    used = {entry["brand"] for entry in campaigns.values()}
    languages = sorted({lang for entry in campaigns.values() for lang in entry["words"]})
    return {
        "api": api_url,
        "campaigns": campaigns,
        "brands": {
            slug: {"name": brand.name, "colours": brand.colours.model_dump()}
            for slug, brand in sorted(content.brands.items())
            if slug in used
        },
        "texts": {lang: _texts(lang) for lang in languages},
        "networks": NETWORK_NAMES,
        "errors": ERRORS,
    }


def widget_script(source: str, data: dict[str, Any]) -> bytes:
    if source.count(DATA_MARK) != 1:
        raise ValueError(f"the widget script must hold {DATA_MARK} once, where its data goes")
    # JSON is JavaScript; compact, and with no "</" a parser could ever take for a tag's end.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace(
        "</", "<\\/"
    )
    return source.replace(DATA_MARK, payload).encode("utf-8")
