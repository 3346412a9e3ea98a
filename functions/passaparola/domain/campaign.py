"""The typed campaign rules: what a business writes in content/, after validation.

The same models validate the YAML front matter at build time (with file and field in every
error) and load the compiled rules file in Lambda, so the pages and the functions cannot
disagree about a campaign.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cached_property
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from passaparola.domain.click_rules import CampaignState, ClickCampaign, ClickRules, campaign_state
from passaparola.domain.codes import PREFIX_PATTERN
from passaparola.domain.money import Amount, Currency, Money, Percent
from passaparola.domain.vocabulary import EventType, Language

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=48)]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Channel = Literal["copy", "native", "email", "sms", "whatsapp", "telegram", "x", "facebook", "linkedin", "qr"]
ALL_CHANNELS: tuple[Channel, ...] = (
    "copy", "native", "email", "sms", "whatsapp", "telegram", "x", "facebook", "linkedin", "qr",
)  # fmt: skip
# Slugs that would shadow an API route or a site folder when both are served from one origin.
RESERVED_SLUGS = frozenset(
    {
        "r", "codes", "claims", "conversions", "refunds", "reviews", "referrers", "campaigns", "stats",
        "integrations", "unsubscribe", "admin", "referrals", "rewards",
    }
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- rewards ---------------------------------------------------------------------------------


class _MoneyValued(_Strict):
    """A reward worth money: a fixed amount, or a percentage of the order that earned it."""

    amount: Amount | None = None
    currency: Currency | None = None
    percent: Percent | None = Field(default=None, description="percent of the order amount")
    max_amount: Amount | None = Field(default=None, description="ceiling for a percent reward")

    @model_validator(mode="after")
    def _one_way_of_valuing(self) -> Self:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("give either amount (with currency) or percent of the order, not both")
        if self.amount is not None and self.currency is None:
            raise ValueError("currency is required with amount")
        if self.max_amount is not None and self.percent is None:
            raise ValueError("max_amount only applies to a percent reward")
        if self.max_amount is not None and self.currency is None:
            raise ValueError("currency is required with max_amount (orders must then be in it)")
        return self

    @property
    def of_order(self) -> bool:
        return self.percent is not None


class Credit(_MoneyValued):
    """Store credit on the customer's account."""

    type: Literal["credit"]


class Cash(_MoneyValued):
    """A payout, e.g. by bank transfer or PayPal."""

    type: Literal["cash"]


class GiftCard(_MoneyValued):
    type: Literal["gift_card"]
    brand: Text | None = None


class Donation(_MoneyValued):
    """A donation in the customer's name."""

    type: Literal["donation"]
    charity: Text


class CouponPercent(_Strict):
    type: Literal["coupon_percent"]
    percent: Percent


class CouponFixed(_Strict):
    type: Literal["coupon_fixed"]
    amount: Amount
    currency: Currency


class FreePeriod(_Strict):
    """Free time on a subscription, e.g. one free month."""

    type: Literal["free_period"]
    months: Annotated[int, Field(ge=1, le=36)]
    plan: Text | None = None


class Quota(_Strict):
    """Extra allowance, like Dropbox's storage: 500 MB per friend up to 16 GB."""

    type: Literal["quota"]
    amount: Amount
    unit: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    max_total: Amount | None = None


class Gift(_Strict):
    """A tangible gift shipped to the customer."""

    type: Literal["gift"]
    description: Text


class RevenueShare(_Strict):
    """A recurring share of what the referred friend spends, for a number of months."""

    type: Literal["revenue_share"]
    percent: Percent
    months: Annotated[int, Field(ge=1, le=60)]


# What a campaign gives (its configuration); a reward in the ledger is records.Reward.
RewardSpec = Annotated[
    Credit
    | Cash
    | GiftCard
    | Donation
    | CouponPercent
    | CouponFixed
    | FreePeriod
    | Quota
    | Gift
    | RevenueShare,
    Field(discriminator="type"),
]
REWARD_TYPES = frozenset(
    get_args(kind.model_fields["type"].annotation)[0]
    for kind in (
        Credit,
        Cash,
        GiftCard,
        Donation,
        CouponPercent,
        CouponFixed,
        FreePeriod,
        Quota,
        Gift,
        RevenueShare,
    )
)
MONEY_VALUED = (Credit, Cash, GiftCard, Donation)


# The business's own words in each kind of reward, which translations may give per language.
OWN_WORDS: dict[str, str] = {
    "gift": "description",
    "gift_card": "brand",
    "donation": "charity",
    "free_period": "plan",
}


def own_words_of(reward: RewardSpec) -> tuple[str, str] | None:
    """The field of a reward that holds the business's own words, and those words."""
    field = OWN_WORDS.get(reward.type)
    words = getattr(reward, field) if field else None
    return (field, words) if field and words else None


def depends_on_order(reward: RewardSpec) -> bool:
    return isinstance(reward, RevenueShare) or (isinstance(reward, MONEY_VALUED) and reward.of_order)


class Tier(_Strict):
    """A milestone bonus once a referrer has this many successful referrals."""

    after: Annotated[int, Field(ge=1, le=100_000)]
    reward: RewardSpec


class SecondLevel(_Strict):
    """A reward for the person who referred the referrer, when the referrer's friend converts."""

    reward: RewardSpec


# --- fraud checks ----------------------------------------------------------------------------

FraudMode = Literal["enforce", "shadow", "off"]


class FraudModes(_Strict):
    """How each fraud check (vocabulary.FRAUD_CHECKS) applies in a campaign: `enforce` it, run
    it in `shadow` (record on the claim or order what it would have done, and let it through),
    or turn it `off`. The other checks (dates, minimum purchase, currency...) are the
    campaign's terms, always enforced."""

    self_referral: FraudMode = "enforce"
    disposable_email: FraudMode = "enforce"
    existing_customer: FraudMode = "enforce"
    shared_address: FraudMode = "enforce"
    shared_payment: FraudMode = "enforce"
    # Households and offices share a network, and so does every request to the local stack.
    same_client: FraudMode = "shadow"

    @field_validator("*", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: object) -> object:
        # YAML 1.1 reads a bare `off` (or `no`) as false and `on` (or `yes`) as true.
        if value is False:
            return "off"
        if value is True:
            return "enforce"
        return value

    def mode(self, check: str) -> FraudMode:
        """A campaign's terms are no fraud check: always enforced."""
        mode: FraudMode = getattr(self, check) if check in type(self).model_fields else "enforce"
        return mode


# --- the campaign ----------------------------------------------------------------------------


class EmailSwitches(_Strict):
    """The emails of a campaign that can be switched off (`emails:` in its file), each on
    unless set to false. The answers to a person's own action (their link, their coupon) are
    not here: they always go."""

    friend_claimed: bool = True  # to the referrer: a friend claimed the offer
    order_attributed: bool = True  # to the referrer: a friend ordered, and when the reward comes
    reward_issued: bool = True  # to the referrer: a reward is issued, and what happens now
    tier_reached: bool = True  # to the referrer: a milestone's bonus
    cap_reached: bool = True  # to the referrer: the last rewarded referral
    coupon_reminder: bool = True  # to the friend: the coupon is about to expire, unused
    referrer_nudge: bool = True  # to the referrer: nobody has opened their link yet
    purchase_ask: bool = True  # to a buyer who is not enrolled: an invitation to join (`ask:`)

    def on(self, email: str) -> bool:
        return bool(getattr(self, email))


class Ask(_Strict):
    """The invitation to join, emailed to a buyer who is not enrolled (`ask:` in the campaign's
    file; `emails: {purchase_ask: off}` sends none). `after_days` stays within the 30 days an
    unreferred order is kept, so whether it was refunded can still be read when the ask goes."""

    after_days: Annotated[int, Field(ge=0, le=28)] = 3
    # Only buyers the shop reports as promoters (satisfaction 9 or 10 out of 10) are asked.
    only_promoters: bool = False


class Variant(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{1,8}$")]
    headline: Text


class OwnWords(_Strict):
    """A reward's own words in one language (the rules give them in the default language)."""

    description: Text | None = None  # a gift
    brand: Text | None = None  # a gift card
    charity: Text | None = None  # a donation
    plan: Text | None = None  # a free period


class TierWords(OwnWords):
    after: Annotated[int, Field(ge=1, le=100_000)]


class RewardWords(_Strict):
    """Where the rules have rewards, the translation's words for each: which reward by its
    place in the rules (a tier by its `after`), which words by the reward's own field."""

    referrer_reward: OwnWords | None = None
    friend_reward: OwnWords | None = None
    second_level: OwnWords | None = None
    tiers: tuple[TierWords, ...] = ()


class CampaignCopy(_Strict):
    """The words of a campaign in one language. A translation file holds only these."""

    slug: Slug
    lang: Lang
    title: Text
    headline: Text | None = None
    summary: Text | None = None
    share_message: Text | None = None
    email_subject: Text | None = None
    variants: tuple[Variant, ...] = ()
    terms: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)] | None = None
    reward_words: RewardWords | None = None

    @model_validator(mode="after")
    def _unique_variants(self) -> Self:
        ids = [v.id for v in self.variants]
        if len(ids) != len(set(ids)):
            raise ValueError("variants: each id must be unique")
        return self


class CampaignRules(_Strict):
    """What the functions enforce. Lives only in the default-language file of a campaign."""

    slug: Slug
    brand: Slug
    status: Literal["active", "paused"] = "active"
    code_prefix: str | None = None
    referrer_reward: RewardSpec
    friend_reward: RewardSpec | None = None
    reward_on: Literal["purchase", "claim"] = "purchase"
    min_purchase: Money | None = None
    hold_days: Annotated[int, Field(ge=0, le=365)] = 14
    max_rewards_per_referrer: Annotated[int, Field(ge=1, le=100_000)] | None = None
    tiers: tuple[Tier, ...] = ()
    second_level: SecondLevel | None = None
    attribution_days: Annotated[int, Field(ge=1, le=365)] = 30
    starts: date | None = None
    ends: date | None = None
    channels: tuple[Channel, ...] = ALL_CHANNELS
    fraud: FraudModes = FraudModes()
    emails: EmailSwitches = EmailSwitches()
    # The referrer whose link nobody has opened this many days after they enrolled is
    # reminded of it, once.
    nudge_after_days: Annotated[int, Field(ge=1, le=365)] = 7
    ask: Ask = Ask()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.slug in RESERVED_SLUGS:
            raise ValueError(f"slug {self.slug!r} is reserved for the API; choose another")
        if not PREFIX_PATTERN.match(self.prefix):
            raise ValueError(
                "code_prefix must be 2 to 12 capital letters or digits (give one for a short slug)"
            )
        if self.starts and self.ends and self.ends < self.starts:
            raise ValueError("ends must not be before starts")
        rewards = [self.referrer_reward, *(t.reward for t in self.tiers)]
        if self.second_level:
            rewards.append(self.second_level.reward)
        if self.reward_on == "claim" and any(depends_on_order(r) for r in rewards):
            raise ValueError("a reward worth a percent of the order needs reward_on: purchase")
        if self.friend_reward is not None and depends_on_order(self.friend_reward):
            raise ValueError(
                "friend_reward is given when the friend claims, before any order; use a fixed value"
            )
        if any(depends_on_order(t.reward) for t in self.tiers):
            raise ValueError("a tier reward must have a fixed value, not a percent of an order")
        afters = [t.after for t in self.tiers]
        if afters != sorted(set(afters)):
            raise ValueError("tiers must be in increasing order of 'after', each 'after' once")
        if self.max_rewards_per_referrer is not None and any(
            a > self.max_rewards_per_referrer for a in afters
        ):
            raise ValueError(
                "a tier's 'after' is above max_rewards_per_referrer, so it could never be reached"
            )
        if len(set(self.channels)) != len(self.channels) or not self.channels:
            raise ValueError("channels must list each channel once, and at least one")
        return self

    @cached_property
    def prefix(self) -> str:
        return self.code_prefix or re.sub(r"[^A-Z0-9]", "", self.slug.upper())[:12]

    @property
    def currency(self) -> str | None:
        """The currency orders must be in when an amount in the rules is compared with the
        order's: a minimum purchase, or the ceiling of a percent reward."""
        if self.min_purchase:
            return self.min_purchase.currency
        rewards = [self.referrer_reward, *(t.reward for t in self.tiers)]
        if self.second_level:
            rewards.append(self.second_level.reward)
        capped = (r.currency for r in rewards if isinstance(r, MONEY_VALUED) and r.max_amount is not None)
        return next(capped, None)

    def state_at(self, now: datetime) -> CampaignState:
        """Campaign dates are whole days in UTC; `ends` is the last day a referral counts."""
        return campaign_state(self.status, self.starts, self.ends, now)

    def click_campaign(self, languages: tuple[str, ...], variants: tuple[str, ...]) -> ClickCampaign:
        """What the click path needs of these rules (domain/click_rules.py)."""
        return ClickCampaign(self.slug, languages, variants, self.status, self.starts, self.ends)


class CampaignText(_Strict):
    """The words the functions need, per language (emails, the code validator)."""

    title: Text
    friend_offer: str | None
    referrer_offer: str
    # The rewards' own words (a gift's description...) in this language, by the default
    # language's words: a reward in the ledger carries the words of the rules it was earned under.
    own_words: dict[str, str] = Field(default_factory=dict)


class CompiledCampaign(_Strict):
    rules: CampaignRules
    default_lang: Lang
    texts: dict[Lang, CampaignText]
    variants: tuple[str, ...] = ()

    @cached_property
    def languages(self) -> tuple[str, ...]:
        return (self.default_lang, *sorted(set(self.texts) - {self.default_lang}))

    def text(self, lang: str | None) -> CampaignText:
        return self.texts.get(lang or "", self.texts[self.default_lang])


HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class BrandColours(_Strict):
    """The brand's colours, in the pages and in emails; the build checks the contrast of every
    pair they set text in (WCAG AA)."""

    primary: HexColour = Field(description="buttons and links")
    on_primary: HexColour = Field(description="text on primary buttons")
    background: HexColour
    text: HexColour
    accent: HexColour | None = None

    @property
    def panel(self) -> str:
        """What accent panels are filled with: the accent, or the background when there is none."""
        return self.accent or self.background


class EmailLogo(_Strict):
    """The brand's logo for emails: a raster image published with the site, shown at this size."""

    path: str  # on the site, e.g. /email/acme/email-logo.png
    width: int
    height: int


class WebhookEndpoint(_Strict):
    """Where the business is told of events, and which ones (domain.events); its secret is
    kept in Secrets Manager (the OutgoingWebhookSecrets secret) under its id."""

    id: Slug = Field(description="a name for the endpoint: lower-case letters, digits and dashes")
    url: str = Field(description="where events are posted")
    events: tuple[EventType, ...] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def _each_once(cls, events: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(events)) != len(events):
            raise ValueError("each event type once")
        return events


_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}$")


def _address(value: str) -> str:
    # Lower-cased, so the sign-in check compares addresses as mail servers do in practice.
    address = value.strip().lower()
    if not _ADDRESS.match(address):
        raise ValueError(f"{value!r} is not an email address")
    return address


class ConsoleAdmin(_Strict):
    """Who may sign in to the console, with the language of their emails (the daily digest);
    a bare address is English."""

    email: Annotated[str, AfterValidator(_address)]
    lang: Language = "en"

    @model_validator(mode="before")
    @classmethod
    def _bare_address(cls, value: Any) -> Any:
        return {"email": value} if isinstance(value, str) else value


_DEFAULT_COLOURS = BrandColours(primary="#1a4d8f", on_primary="#ffffff", background="#ffffff", text="#111111")


ShopPlatform = Literal["shopify", "woocommerce", "stripe"]
SHOP_PLATFORMS: tuple[str, ...] = get_args(ShopPlatform)


class Shop(_Strict):
    """Where the shop is, for the coupons the kit creates there. Its API key is a secret of its
    own in Secrets Manager, one per platform (README, "Rewards in your shop")."""

    platform: ShopPlatform
    # The shop's own address (WooCommerce's site, Shopify's myshopify.com domain); Stripe's API
    # is one for everyone.
    url: Annotated[str, StringConstraints(pattern=r"^https://[^/\s]+(/\S*)?$")] | None = None

    @model_validator(mode="after")
    def _address_where_needed(self) -> Self:
        if self.platform != "stripe" and self.url is None:
            raise ValueError(f"url: {self.platform} needs the shop's address (https://...)")
        return self


PayoutKind = Literal["cash", "gift_card", "donation"]


class Payouts(_Strict):
    """Who pays the referrer's cash, gift cards and donations: Tremendous (its API key a secret of
    its own), or the business by hand (`manual`: they wait in its fulfilment list)."""

    provider: Literal["tremendous", "manual"] = "manual"
    # Tremendous's campaign (the products a recipient may choose, and the look of its email) ...
    campaign: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,40}$")] | None = None
    # ... or its product ids per kind (a charity is a product), which override the campaign's.
    products: dict[PayoutKind, tuple[Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,40}$")], ...]] = (
        Field(default_factory=dict)
    )
    # What pays for the orders: BALANCE (the account's balance), or a funding source's id.
    funding_source: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{4,40}$")] = "BALANCE"

    def products_for(self, kind: str) -> tuple[str, ...]:
        return next((ids for named, ids in self.products.items() if named == kind), ())

    @model_validator(mode="after")
    def _products_for_tremendous(self) -> Self:
        if self.provider == "tremendous" and self.campaign is None and not self.products:
            raise ValueError(
                "campaign: Tremendous needs its campaign's id, or products: {cash|gift_card|donation: [ids]}"
            )
        if self.provider == "manual" and (self.campaign or self.products):
            raise ValueError("campaign and products are Tremendous's: set provider: tremendous")
        return self


class BrandContact(_Strict):
    """The brand, as the functions know it (emails, links on to the shop, the console's admins,
    the endpoints told of events); the build's brand file is this and the image files that
    only the build reads (passaparola_build.content.Brand)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    store_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    contact: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")]
    colours: BrandColours = _DEFAULT_COLOURS
    # The logo at the head of every email: where the site publishes it, and its size, measured
    # by the build from the brand file's email image.
    letterhead_logo: EmailLogo | None = None
    admins: tuple[ConsoleAdmin, ...] = Field(
        default=(),
        description="who may sign in to the console, by an emailed link: an address, or {email, lang}",
    )
    webhooks: tuple[WebhookEndpoint, ...] = ()
    # The origins of the shop's own pages that may call the API from a browser (the invite
    # panel of /widget.js), as browsers send them in `Origin`; the build has checked them.
    shop_origins: tuple[str, ...] = ()
    # Without a shop, the friend's coupon is a code the business creates in its shop by hand.
    shop: Shop | None = None
    payouts: Payouts = Payouts()

    @field_validator("admins")
    @classmethod
    def _admins_once(cls, admins: tuple[ConsoleAdmin, ...]) -> tuple[ConsoleAdmin, ...]:
        addresses = [a.email for a in admins]
        if len(set(addresses)) != len(addresses):
            raise ValueError("each address once")
        return admins

    @cached_property
    def admin_addresses(self) -> frozenset[str]:
        return frozenset(admin.email for admin in self.admins)


class Rules(_Strict):
    """The compiled rules file shipped with the functions (rules.json)."""

    campaigns: dict[Slug, CompiledCampaign]
    brands: dict[Slug, BrandContact]
    # every currency in use with its minor unit, from the build (content.currencies_in_use)
    currency_digits: dict[str, int] = Field(default_factory=dict)

    def campaign(self, slug: str) -> CompiledCampaign | None:
        return self.campaigns.get(slug)

    def campaign_for_code(self, code: str) -> CompiledCampaign | None:
        """The campaign a (normalised) referral code belongs to, read from its prefix."""
        return self._by_prefix.get(code.split("-", 1)[0])

    @cached_property
    def _by_prefix(self) -> dict[str, CompiledCampaign]:
        return {campaign.rules.prefix: campaign for campaign in self.campaigns.values()}

    def click_rules(self) -> ClickRules:
        """The compact rules the click path reads (the build writes them beside the rules)."""
        return ClickRules(
            {
                prefix: campaign.rules.click_campaign(campaign.languages, campaign.variants)
                for prefix, campaign in self._by_prefix.items()
            }
        )

    @cached_property
    def admins(self) -> frozenset[str]:
        """One deployment is one business: an address any brand lists administers every campaign."""
        return frozenset(address for brand in self.brands.values() for address in brand.admin_addresses)

    @cached_property
    def shop_origins(self) -> frozenset[str]:
        """Every brand's shop origins: the routes shops call answer CORS for these alone."""
        return frozenset(origin for brand in self.brands.values() for origin in brand.shop_origins)

    def endpoints_for(self, campaign: str | None, event: str) -> list[WebhookEndpoint]:
        """The endpoints that want `event` of `campaign`: its brand's; every brand's for an
        event of no campaign (an order with an unknown code)."""
        found = self.campaigns.get(campaign or "")
        brands = [self.brands[found.rules.brand]] if found else list(self.brands.values())
        return [e for brand in brands for e in brand.webhooks if event in e.events]

    def endpoint(self, endpoint_id: str) -> WebhookEndpoint | None:
        return next((e for b in self.brands.values() for e in b.webhooks if e.id == endpoint_id), None)

    def digits(self, currency: str) -> int:
        return self.currency_digits.get(currency, 2)
