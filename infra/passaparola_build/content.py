"""Reading content/: brands and campaign files, validated (passaparola_build.rules compiles
them into the rules file the functions read).

Build-time only: the site build, the local stack and the Lambda build call it; nothing in
the Lambda artifact imports it. Every problem is reported with its file, the field, and the
reason, and all problems are reported at once, so a marketer fixes a file in one pass.

    content/brands/<brand>.yaml            name, colours, store_url, contact, logo, favicon
    content/brands/<brand>/...             the brand's image files
    content/campaigns/<slug>.md            rules + words, YAML front matter, Markdown body
    content/campaigns/<slug>.<lang>.md     a translation: words only (its rewards' own words too)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import frontmatter
import yaml
from babel.core import get_global
from babel.numbers import get_currency_precision, get_territory_currencies
from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from passaparola import i18n, site_paths
from passaparola.domain.campaign import (
    OWN_WORDS,
    REWARD_TYPES,
    BrandColours,
    BrandContact,
    CampaignCopy,
    CampaignRules,
    EmailLogo,
    OwnWords,
    RewardSpec,
    RewardWords,
    WebhookEndpoint,
    own_words_of,
)

WCAG_AA_TEXT = 4.5
# Text (foreground) on background pairs in the site's theme: body text and links on the page
# and on accent panels, button text on buttons. site/theme/static/site.css uses no others.
READABLE_PAIRS = (
    ("text", "background"),
    ("primary", "background"),
    ("on_primary", "primary"),
    ("text", "accent"),
    ("primary", "accent"),
)
# Mail clients show raster images only: Gmail and Outlook show no SVG, and Gmail drops data:
# URIs. Emails link the logo from the published site, so the same small file serves every email.
EMAIL_IMAGE_TYPES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF"}
EMAIL_LOGO_MAX_BYTES = 100 * 1024
EMAIL_LOGO_HEIGHT = 40  # CSS pixels, as in the pages' header
EMAIL_LOGO_MAX_WIDTH = 240
# Plain http is a shop's own machine only: a page served over http elsewhere can be rewritten
# on the way, and our answers with it.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
_DEFAULT_PORTS = {"https": 443, "http": 80}


def web_origin(value: str) -> str:
    """`value` as browsers send it in an Origin header (scheme://host[:port], lower-case, no
    default port), or ValueError saying what is wrong with it."""
    hint = f"{value!r} is not an origin: write scheme://host or scheme://host:port, e.g. https://shop.example.com"
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValueError(hint) from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        raise ValueError(hint)
    if parts.path not in ("", "/") or parts.query or parts.fragment or "*" in parts.netloc:
        raise ValueError(f"{hint} (an origin has no path, query, fragment or wildcard)")
    try:  # browsers send a non-ASCII host name in its ASCII (punycode) form
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(hint) from None
    host = f"[{host}]" if ":" in host else host
    if parts.scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValueError(f"{value!r}: a shop's pages must be https (http is for localhost only)")
    shown_port = "" if port in (None, _DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{host}{shown_port}"


@dataclass(frozen=True)
class Problem:
    file: Path
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.reason}"


class ContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("content/ has problems:\n" + "\n".join(f"  {p}" for p in problems))


# sRGB's share of each channel in luminance (the Y row of its matrix to XYZ, D65).
_LUMINANCE = (0.21263900587151027, 0.715168678767756, 0.07219231536073371)


def _luminance(hex_colour: str) -> float:
    channels = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    linear = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return sum(weight * value for weight, value in zip(_LUMINANCE, linear, strict=True))


def contrast(fore: str, back: str) -> float:
    """WCAG 2.1's contrast ratio of two #rrggbb colours, 1 to 21 (a colour library took 0.2 s
    of every build's start to import for this one sum)."""
    lighter, darker = sorted((_luminance(fore), _luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _readable(colours: BrandColours) -> BrandColours:
    """WCAG AA: 4.5:1 for every pair of colours the pages set text in."""
    for fore, back in READABLE_PAIRS:
        if getattr(colours, back) is None:
            continue  # no accent: the pages use the background instead
        ratio = contrast(getattr(colours, fore), getattr(colours, back))
        if ratio < WCAG_AA_TEXT:
            raise ValueError(f"{fore} on {back} has contrast {ratio:.2f}:1; WCAG AA needs {WCAG_AA_TEXT}:1")
    return colours


class Webhook(WebhookEndpoint):
    """An endpoint as a brand file names it: https only (the local stack alone points endpoints
    at its own receiver, over http)."""

    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s/]+\S*$", max_length=2000)] = Field(
        description="where events are posted; https only"
    )


class Brand(BrandContact):
    """A brand file: the brand the functions know, and the image files only the build reads.
    It checks more than the functions need to: the colours' contrast, https endpoints, and
    origins spelled as browsers send them."""

    colours: Annotated[BrandColours, AfterValidator(_readable)]
    logo: str | None = Field(default=None, description="image file in content/brands/<brand>/")
    favicon: str | None = Field(default=None, description="image file in content/brands/<brand>/")
    email_logo: str | None = Field(
        default=None, description="PNG, JPEG or GIF in content/brands/<brand>/ (else `logo`, if it is one)"
    )
    webhooks: tuple[Webhook, ...] = Field(
        default=(), description="endpoints told of events: [{id, url, events: [...]}]"
    )
    shop_origins: tuple[Annotated[str, AfterValidator(web_origin)], ...] = Field(
        default=(), description="origins of the shop's pages that embed /widget.js (CORS)"
    )

    @field_validator("letterhead_logo", mode="before")
    @classmethod
    def _measured_by_the_build(cls, value: Any) -> Any:
        raise ValueError("the build measures it: name the image in email_logo")

    @field_validator("shop_origins", mode="before")
    @classmethod
    def _a_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("a list of origins, e.g. [https://shop.example.com]")
        return value

    @field_validator("shop_origins", mode="after")
    @classmethod
    def _once_each(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(value))  # the same origin written two ways counts once

    @property
    def email_image(self) -> str | None:
        """The image emails show: `email_logo`, or the page logo when mail clients can show it."""
        if self.email_logo:
            return self.email_logo
        if self.logo and Path(self.logo).suffix.lower() in EMAIL_IMAGE_TYPES:
            return self.logo
        return None

    def for_functions(self, slug: str, brand_dir: Path) -> BrandContact:
        """The brand as the rules file gives it to the functions: without the image files, with
        the email logo measured."""
        letterhead_logo = email_logo(slug, brand_dir / self.email_image) if self.email_image else None
        shared = self.model_dump(include=set(BrandContact.model_fields))
        return BrandContact.model_validate({**shared, "letterhead_logo": letterhead_logo})


def email_logo(slug: str, file: Path) -> EmailLogo:
    """Where the email logo is published, and the size it is shown at (the file may be drawn at
    twice that, for sharp screens)."""
    from PIL import Image

    with Image.open(file) as image:
        width, height = image.size
    shown_height = min(EMAIL_LOGO_HEIGHT, height)
    shown_width = round(width * shown_height / height)
    if shown_width > EMAIL_LOGO_MAX_WIDTH:
        shown_width, shown_height = EMAIL_LOGO_MAX_WIDTH, max(1, round(height * EMAIL_LOGO_MAX_WIDTH / width))
    return EmailLogo(path=site_paths.email_image(slug, file.name), width=shown_width, height=shown_height)


def _email_logo_problem(file: Path) -> str | None:
    """Why a file cannot be the email logo, or None."""
    from PIL import Image, UnidentifiedImageError

    if file.suffix.lower() not in EMAIL_IMAGE_TYPES:
        return "mail clients show PNG, JPEG or GIF images only (Gmail and Outlook show no SVG)"
    size, most = file.stat().st_size // 1024, EMAIL_LOGO_MAX_BYTES // 1024
    if file.stat().st_size > EMAIL_LOGO_MAX_BYTES:
        return f"is {size} KB; an email logo must be {most} KB or less"
    try:
        with Image.open(file) as image:
            found = image.format
    except UnidentifiedImageError:
        return "is not an image"
    if found != EMAIL_IMAGE_TYPES[file.suffix.lower()]:
        return f"holds a {found} image, not what its name says"
    return None


@dataclass
class Campaign:
    """One campaign: its rules (from the default-language file) and its words per language."""

    path: Path
    rules: CampaignRules
    default_lang: str
    copies: dict[str, CampaignCopy] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)

    def own_words(self, lang: str) -> dict[str, str]:
        """The rewards' own words in `lang` (a gift's description...), by their words in the rules."""
        words = self.copies[lang].reward_words if lang in self.copies else None
        found: dict[str, str] = {}
        for _, spec, given in _word_places(self.rules, words):
            own = own_words_of(spec) if spec else None
            if own and getattr(given, own[0]):
                found[own[1]] = getattr(given, own[0])
        return found


@dataclass
class Content:
    root: Path
    brands: dict[str, Brand]
    campaigns: dict[str, Campaign]

    def brand_dir(self, slug: str) -> Path:
        return self.root / "brands" / slug


_RULE_FIELDS = set(CampaignRules.model_fields) - {"slug"}
_COPY_FIELDS = set(CampaignCopy.model_fields)


def _field_of(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in REWARD_TYPES) or "(file)"


def _reason(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    return str(error["msg"]).removeprefix("Value error, ")


def _problems(path: Path, exc: ValidationError) -> list[Problem]:
    return [Problem(path, _field_of(e["loc"]), _reason(e)) for e in exc.errors()]


def _read(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], str] | None:
    try:
        post = frontmatter.load(str(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "front matter"
        problems.append(Problem(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    except UnicodeDecodeError:
        problems.append(Problem(path, "(file)", "not UTF-8 text"))
        return None
    return dict(post.metadata), post.content


def _name_parts(path: Path) -> tuple[str, str | None]:
    parts = path.name.removesuffix(".md").split(".")
    return parts[0], parts[1] if len(parts) > 1 else None


def one_brand(root: Path) -> list[Problem]:
    """One deployment serves one brand: its table, secrets, admins and pages are one brand's, and
    an admin sees every referral in it. A second brand file is refused, naming both."""
    files = sorted((root / "brands").glob("*.yaml"))
    return [
        Problem(
            other,
            "(file)",
            f"brands/{other.name} is a second brand beside brands/{files[0].name}, and one deployment "
            "serves one brand. Run another brand from a content folder of its own (passaparola "
            "init DIR, with its brands/ and campaigns/) and deploy it as a stack of its own "
            "(another stack name), so neither brand's admin reads the other's referrals",
        )
        for other in files[1:]
    ]


def _load_brands(root: Path, problems: list[Problem]) -> dict[str, Brand]:
    brands = {}
    problems.extend(one_brand(root))
    for path in sorted((root / "brands").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                problems.append(Problem(path, "(file)", "must be a YAML mapping of fields"))
                continue
            brand = Brand.model_validate(data)
        except yaml.YAMLError as exc:
            problems.append(Problem(path, "(file)", f"not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            problems.extend(_problems(path, exc))
            continue
        missing = False
        for attr in ("logo", "favicon", "email_logo"):
            name = getattr(brand, attr)
            if name and not (root / "brands" / path.stem / name).is_file():
                problems.append(Problem(path, attr, f"no file brands/{path.stem}/{name}"))
                missing = True
        if brand.email_image and not missing:
            problem = _email_logo_problem(root / "brands" / path.stem / brand.email_image)
            if problem:
                attr = "email_logo" if brand.email_logo else "logo"
                problems.append(Problem(path, attr, f"as the emails' logo: {problem}"))
        brands[path.stem] = brand
    _endpoints_once(root, brands, problems)
    return brands


def _endpoints_once(root: Path, brands: dict[str, Brand], problems: list[Problem]) -> None:
    """An endpoint's id names its secret, so no two endpoints share one, in any brand."""
    seen: dict[str, str] = {}
    for slug, brand in brands.items():
        for index, hook in enumerate(brand.webhooks):
            if hook.id in seen:
                where = f"the first in brands/{seen[hook.id]}.yaml" if seen[hook.id] != slug else "above"
                reason = f"endpoint id {hook.id!r} is used twice ({where}); each endpoint needs its own"
                problems.append(Problem(root / "brands" / f"{slug}.yaml", f"webhooks.{index}.id", reason))
            seen.setdefault(hook.id, slug)


def _load_master(path: Path, meta: dict[str, Any], body: str, problems: list[Problem]) -> Campaign | None:
    slug, _ = _name_parts(path)
    meta.setdefault("slug", slug)
    meta.setdefault("lang", i18n.DEFAULT)
    if meta["slug"] != slug:
        problems.append(Problem(path, "slug", f"is {meta['slug']!r} but the file name says {slug!r}"))
        return None
    unknown = set(meta) - _RULE_FIELDS - _COPY_FIELDS
    for name in sorted(unknown):
        problems.append(Problem(path, name, "unknown field (check the spelling)"))
    if "reward_words" in meta:
        problems.append(
            Problem(
                path,
                "reward_words",
                "this file's rewards are in its own words; reward_words is for translations",
            )
        )
    rules_part = {k: v for k, v in meta.items() if k in _RULE_FIELDS or k == "slug"}
    copy_part = {k: v for k, v in meta.items() if k in _COPY_FIELDS}
    try:
        rules = CampaignRules.model_validate(rules_part)
    except ValidationError as exc:
        problems.extend(_problems(path, exc))
        rules = None
    try:
        copy = CampaignCopy.model_validate(copy_part)
    except ValidationError as exc:
        problems.extend(_problems(path, exc))
        copy = None
    if rules is None or copy is None or unknown or "reward_words" in meta:
        return None
    return Campaign(path, rules, copy.lang, {copy.lang: copy}, {copy.lang: body}, {copy.lang: path})


def _add_translation(
    campaign: Campaign, path: Path, lang: str, meta: dict[str, Any], body: str, problems: list[Problem]
) -> None:
    rules_here = sorted(set(meta) & (_RULE_FIELDS - _COPY_FIELDS))
    for name in rules_here:
        problems.append(
            Problem(path, name, f"rules belong in the default-language file {campaign.path.name}")
        )
    meta.setdefault("slug", campaign.rules.slug)
    meta.setdefault("lang", lang)
    if meta["lang"] != lang:
        problems.append(Problem(path, "lang", f"is {meta['lang']!r} but the file name says {lang!r}"))
        return
    try:
        copy = CampaignCopy.model_validate({k: v for k, v in meta.items() if k not in rules_here})
    except ValidationError as exc:
        problems.extend(_problems(path, exc))
        return
    problems.extend(
        Problem(path, f, reason) for f, reason in _reward_words_problems(campaign.rules, copy.reward_words)
    )
    master_variants = {v.id for v in campaign.copies[campaign.default_lang].variants}
    if {v.id for v in copy.variants} - master_variants:
        problems.append(
            Problem(path, "variants", "a translation can only translate the default file's variant ids")
        )
    if lang in campaign.copies:
        problems.append(Problem(path, "lang", f"{lang} is already given by {campaign.paths[lang].name}"))
        return
    campaign.copies[lang] = copy
    campaign.bodies[lang] = body
    campaign.paths[lang] = path


def _word_places(
    rules: CampaignRules, words: RewardWords | None
) -> list[tuple[str, RewardSpec | None, OwnWords]]:
    """Each reward a translation gives words for: where, the reward in the rules (None if the
    rules have none there), and the words."""
    if words is None:
        return []
    rewards = {
        "referrer_reward": rules.referrer_reward,
        "friend_reward": rules.friend_reward,
        "second_level": rules.second_level.reward if rules.second_level else None,
    }
    places: list[tuple[str, RewardSpec | None, OwnWords]] = [
        (name, rewards[name], given) for name in rewards if (given := getattr(words, name)) is not None
    ]
    tiers = {tier.after: tier.reward for tier in rules.tiers}
    places += [(f"tiers.{i}", tiers.get(tier.after), tier) for i, tier in enumerate(words.tiers)]
    return places


def _reward_words_problems(rules: CampaignRules, words: RewardWords | None) -> list[tuple[str, str]]:
    """What is wrong with a translation's reward_words, as (field, reason)."""
    found = []
    afters = [tier.after for tier in words.tiers] if words else []
    if len(afters) != len(set(afters)):
        found.append(("reward_words.tiers", "give each tier's words once"))
    seen: dict[str, tuple[str, str]] = {}  # original words -> (translation, where)
    for where, spec, given in _word_places(rules, words):
        field = f"reward_words.{where}"
        if spec is None:
            after = getattr(given, "after", None)
            missing = f"no tier after {after}" if after is not None else f"no {where.replace('_', ' ')}"
            found.append((field, f"the rules have {missing}"))
            continue
        kind = spec.type.replace("_", " ")
        own_field = OWN_WORDS.get(spec.type)
        own = own_words_of(spec)
        for name in given.model_dump(exclude_none=True, exclude={"after"}):
            if name != own_field:
                hint = f"; translate its {own_field}" if own_field else ": it has no words of its own"
                found.append((f"{field}.{name}", f"a {kind} reward has no {name}{hint}"))
            elif own is None:
                found.append((f"{field}.{name}", f"the rules give this {kind} no {name} to translate"))
            else:
                translation, first = seen.setdefault(own[1], (getattr(given, name), where))
                if translation != getattr(given, name):
                    found.append(
                        (f"{field}.{name}", f"{own[1]!r} is translated otherwise at reward_words.{first}")
                    )
    return found


def _check_campaign(campaign: Campaign, brand_files: set[str], problems: list[Problem]) -> None:
    path, rules = campaign.path, campaign.rules
    if rules.brand not in brand_files:  # an invalid brand file is reported on its own
        problems.append(Problem(path, "brand", f"no brand file brands/{rules.brand}.yaml"))
    for lang in campaign.copies:
        if lang not in i18n.LANGUAGES:
            problems.append(
                Problem(campaign.paths[lang], "lang", f"{lang!r} is not one of {', '.join(i18n.LANGUAGES)}")
            )
    for where, currency in _currencies(rules):
        if currency not in currencies_in_use():
            problems.append(Problem(path, where, f"{currency!r} is not an ISO 4217 currency in use"))


@cache
def currencies_in_use() -> dict[str, int]:
    """Every ISO 4217 currency that is legal tender somewhere today, with its minor unit (the
    decimals of its smallest unit: EUR 2, JPY 0, BHD 3), from the CLDR data Babel carries.
    Withdrawn currencies (DEM, HRK), funds, metals and XXX are not money a shop is paid in.
    The rules file carries this table, so the functions check a currency without Babel."""
    today = date.today()
    codes = {
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, start_date=today)
    }
    return {code: get_currency_precision(code) for code in sorted(codes)}


def _currencies(rules: CampaignRules) -> list[tuple[str, str]]:
    found = []
    data = rules.model_dump(mode="json", exclude_none=True)

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "currency":
                    found.append((f"{where}.currency".lstrip("."), value))
                else:
                    walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}.{index}")

    walk(data, "")
    return found


def load(root: Path) -> Content:
    """Read and validate content/. Raises ContentError listing every problem found."""
    problems: list[Problem] = []
    if not (root / "campaigns").is_dir() or not (root / "brands").is_dir():
        raise ContentError([Problem(root, "(folder)", "needs brands/ and campaigns/ folders")])
    brands = _load_brands(root, problems)
    campaigns: dict[str, Campaign] = {}
    files = sorted((root / "campaigns").glob("*.md"))
    translations = []
    for path in files:
        slug, lang = _name_parts(path)
        read = _read(path, problems)
        if read is None:
            continue
        if lang is not None:
            translations.append((path, slug, lang, *read))
            continue
        campaign = _load_master(path, *read, problems)
        if campaign is not None:
            campaigns[slug] = campaign
    for path, slug, lang, meta, body in translations:
        if slug in campaigns:
            _add_translation(campaigns[slug], path, lang, meta, body, problems)
        elif not (root / "campaigns" / f"{slug}.md").exists():
            problems.append(
                Problem(path, "(file)", f"translation of {slug!r}, but campaigns/{slug}.md does not exist")
            )
    prefixes: dict[str, str] = {}
    for slug, campaign in campaigns.items():
        _check_campaign(campaign, {p.stem for p in (root / "brands").glob("*.yaml")}, problems)
        other = prefixes.setdefault(campaign.rules.prefix, slug)
        if other != slug:
            problems.append(
                Problem(
                    campaign.path, "code_prefix", f"{campaign.rules.prefix!r} is also {other!r}'s code prefix"
                )
            )
    if not campaigns and not problems:
        problems.append(Problem(root / "campaigns", "(folder)", "no campaign files"))
    if problems:
        raise ContentError(problems)
    return Content(root, brands, campaigns)
