"""Every page of the site, at the paths passaparola.site_paths gives (the functions link and
redirect to the same): per campaign and language an invite, a landing and a terms page, and per
site language an index, a stats page, an unsubscribe page, a my-data page and the console, plus
the index at /."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Literal

from passaparola import i18n, site_paths
from passaparola_build.content import Brand, Content
from passaparola_pages import words
from passaparola_pages.views import (
    CampaignView,
    Listing,
    Markdown,
    ShareCard,
    campaign_view,
    listing,
    share_card,
)

PageKind = Literal[
    "index", "invite", "landing", "terms", "stats", "unsubscribe", "my_data", "admin", "notfound"
]


@dataclass(frozen=True)
class Alternate:
    """The same page in one language, for hreflang links and the language switcher."""

    lang: str
    path: str
    name: str


@dataclass(frozen=True)
class Page:
    kind: PageKind
    lang: str
    path: str
    title: str
    description: str
    brand: str
    alternates: tuple[Alternate, ...]
    default_path: str  # hreflang x-default
    campaign: CampaignView | None = None
    campaigns: tuple[CampaignView, ...] = ()
    listings: tuple[Listing, ...] = ()
    card: ShareCard | None = None
    # Pages that only make sense with a code or a token in the URL stay out of search engines.
    indexable: bool = True
    script: bool = True
    script_texts: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> str:
        file = self.path.lstrip("/")
        return file if file.endswith(".html") else file + "index.html"


def _alternates(path_of: Callable[[str], str], languages: tuple[str, ...]) -> tuple[Alternate, ...]:
    return tuple(Alternate(lang, path_of(lang), words.language_name(lang)) for lang in languages)


def campaign_pages(view: CampaignView, brand: Brand, languages: tuple[str, ...], default: str) -> list[Page]:
    """The invite, landing and terms pages of one campaign in one language."""
    slug, lang = view.slug, view.lang
    description = view.summary or view.headline
    terms_title = i18n.text(lang, "site.terms.title", title=view.title)
    return [
        Page(
            "invite",
            lang,
            view.invite_path,
            f"{view.title} · {brand.name}",
            description,
            view.brand,
            _alternates(partial(site_paths.invite, slug), languages),
            site_paths.invite(slug, default),
            campaign=view,
            card=share_card(view, brand, "invite"),
            script_texts=words.script_texts("invite", lang, view.friend_offer, brand.name),
        ),
        Page(
            "landing",
            lang,
            view.landing_path,
            f"{view.landing_heading} · {brand.name}",
            view.landing_lede or description,
            view.brand,
            _alternates(partial(site_paths.landing, slug), languages),
            site_paths.landing(slug, default),
            campaign=view,
            card=share_card(view, brand, "landing"),
            indexable=False,
            script_texts=words.script_texts("landing", lang, view.friend_offer, brand.name),
        ),
        Page(
            "terms",
            lang,
            view.terms_path,
            f"{terms_title} · {brand.name}",
            description,
            view.brand,
            _alternates(partial(site_paths.terms, slug), languages),
            site_paths.terms(slug, default),
            campaign=view,
            card=share_card(view, brand, "invite"),
            script=False,
        ),
    ]


def index_page(content: Content, lang: str | None, brand_slug: str, now: datetime) -> Page:
    """The campaigns, at /{lang}/, and at / in the default language. Its script only shows
    a notice when a dead invitation link redirected here (?ref_status=invalid)."""
    page_lang = lang or i18n.DEFAULT
    brand = content.brands[brand_slug]
    return Page(
        "index",
        page_lang,
        site_paths.home(lang),
        i18n.text(page_lang, "site.index.title", brand=brand.name),
        i18n.text(page_lang, "site.index.intro", brand=brand.name),
        brand_slug,
        _alternates(site_paths.home, i18n.LANGUAGES),
        site_paths.home(),
        listings=tuple(listing(c, page_lang, now) for _, c in sorted(content.campaigns.items())),
    )


def stats_page(lang: str, brand_slug: str, brand: Brand, campaigns: tuple[CampaignView, ...]) -> Page:
    """The referrer's private page. Which campaign is known only from the API's answer, so
    the page holds a share panel for each."""
    return Page(
        "stats",
        lang,
        site_paths.stats(lang),
        f"{i18n.text(lang, 'site.stats.title')} · {brand.name}",
        i18n.text(lang, "site.stats.private"),
        brand_slug,
        _alternates(site_paths.stats, i18n.LANGUAGES),
        site_paths.stats(i18n.DEFAULT),
        campaigns=campaigns,
        indexable=False,
        script_texts=words.script_texts("stats", lang, None, brand.name),
    )


def unsubscribe_page(lang: str, brand_slug: str, brand: Brand, campaigns: tuple[CampaignView, ...]) -> Page:
    """Where an email's unsubscribe link leads: it asks, and a button unsubscribes (the same
    one-click POST a mail client sends). Which campaign is in the token, in the fragment."""
    titles = {view.slug: view.title for view in campaigns}
    return Page(
        "unsubscribe",
        lang,
        site_paths.unsubscribe(lang),
        f"{i18n.text(lang, 'site.unsubscribe.title')} · {brand.name}",
        i18n.text(lang, "site.unsubscribe.title"),
        brand_slug,
        _alternates(site_paths.unsubscribe, i18n.LANGUAGES),
        site_paths.unsubscribe(i18n.DEFAULT),
        indexable=False,
        script_texts=words.script_texts("unsubscribe", lang, None, brand.name) | {"campaigns": titles},
    )


def my_data_page(lang: str, brand_slug: str, brand: Brand) -> Page:
    """Where a person asks for a link to their data, and where the link (#token= in the
    fragment) lands: the export to download, and the deletion, behind a confirmation."""
    return Page(
        "my_data",
        lang,
        site_paths.my_data(lang),
        f"{i18n.text(lang, 'site.mydata.title')} · {brand.name}",
        i18n.text(lang, "site.mydata.intro"),
        brand_slug,
        _alternates(site_paths.my_data, i18n.LANGUAGES),
        site_paths.my_data(i18n.DEFAULT),
        indexable=False,
        script_texts=words.script_texts("my_data", lang, None, brand.name),
    )


def admin_page(lang: str, brand_slug: str, brand: Brand, campaigns: tuple[CampaignView, ...]) -> Page:
    """The business's console, where a sign-in link lands (#signin= in the fragment). Its
    script reads and acts through the admin routes; the campaigns to pick from are the build's."""
    title = i18n.text(lang, "site.admin.title")
    return Page(
        "admin",
        lang,
        site_paths.admin(lang),
        f"{title} · {brand.name}",
        i18n.text(lang, "site.admin.intro"),
        brand_slug,
        _alternates(site_paths.admin, i18n.LANGUAGES),
        site_paths.admin(i18n.DEFAULT),
        indexable=False,
        script_texts=words.script_texts("admin", lang, None, brand.name)
        | {"campaigns": {view.slug: view.title for view in campaigns}},
    )


def not_found_page(brand_slug: str, brand: Brand) -> Page:
    """/404.html, for the server or CDN to answer a path that is not there."""
    lang = i18n.DEFAULT
    return Page(
        "notfound",
        lang,
        "/404.html",
        f"{i18n.text(lang, 'site.notfound.title')} · {brand.name}",
        i18n.text(lang, "site.notfound.text"),
        brand_slug,
        _alternates(site_paths.home, i18n.LANGUAGES),
        site_paths.home(),
        indexable=False,
        script=False,
    )


def site_brand(content: Content, chosen: str | None) -> str:
    """The brand of the pages that belong to no one campaign (index, stats): the one the
    settings choose, or else the brand most campaigns use."""
    if chosen is not None:
        if chosen not in content.brands:
            raise ValueError(f"PASSAPAROLA_SITE_BRAND: no brand file brands/{chosen}.yaml")
        return chosen
    uses = Counter(c.rules.brand for c in content.campaigns.values())
    return min(uses, key=lambda slug: (-uses[slug], slug))


def site_pages(
    content: Content, now: datetime, markdown: Markdown, chosen_brand: str | None = None
) -> list[Page]:
    pages: list[Page] = []
    views: dict[str, dict[str, CampaignView]] = {}
    for slug, campaign in sorted(content.campaigns.items()):
        brand = content.brands[campaign.rules.brand]
        languages = tuple(lang for lang in i18n.LANGUAGES if lang in campaign.copies)
        views[slug] = {lang: campaign_view(campaign, lang, brand, now, markdown) for lang in languages}
        for view in views[slug].values():
            pages.extend(campaign_pages(view, brand, languages, campaign.default_lang))
    brand_slug = site_brand(content, chosen_brand)
    for lang in i18n.LANGUAGES:
        pages.append(index_page(content, lang, brand_slug, now))
        # A campaign not written in this language shares in its default language's words.
        shared = tuple(
            in_lang.get(lang) or in_lang[content.campaigns[slug].default_lang]
            for slug, in_lang in views.items()
        )
        pages.append(stats_page(lang, brand_slug, content.brands[brand_slug], shared))
        pages.append(unsubscribe_page(lang, brand_slug, content.brands[brand_slug], shared))
        pages.append(my_data_page(lang, brand_slug, content.brands[brand_slug]))
        pages.append(admin_page(lang, brand_slug, content.brands[brand_slug], shared))
    pages.append(index_page(content, None, brand_slug, now))
    pages.append(not_found_page(brand_slug, content.brands[brand_slug]))
    return pages
