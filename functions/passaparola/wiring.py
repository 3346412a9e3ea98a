"""The composition root: builds each service from its adapters, once per cold start.

Each factory imports what it builds, so a function loads only the modules it uses (the click
recorder never imports the reward ledger, the email composer or Babel). The core services'
`build_*` take their adapters (`Adapters`): `AWS` gives the real ones to the zero-argument
factories that routes are handed (api/needs.py) and handlers call; the unit tests give the
in-memory fakes, so both build services the same way. `@built_once` caches a factory and
registers it for `reset()`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Literal, ParamSpec, Protocol, TypeVar

from passaparola import config
from passaparola.services import Links, utc_now

if TYPE_CHECKING:
    from passaparola.domain.admin import Credentials, Sessions
    from passaparola.domain.campaign import Rules
    from passaparola.domain.cursors import Cursors
    from passaparola.domain.customers import MarkerKeys
    from passaparola.domain.emails import PersonKeys
    from passaparola.domain.signatures import Verifier
    from passaparola.domain.tokens import DataTokens, StatsTokens, UnsubscribeTokens
    from passaparola.services import Clock, ports
    from passaparola.services.admin import Fulfilments, Referrals, Reports, ReviewQueue
    from passaparola.services.claims import Claims
    from passaparola.services.click_counts import ClickCounter
    from passaparola.services.clicks import ClickRecorder
    from passaparola.services.codes import CodeValidator
    from passaparola.services.conversions import Conversions
    from passaparola.services.counters import CounterRollup
    from passaparola.services.digest import DailyDigest
    from passaparola.services.enrolment import Enrolment
    from passaparola.services.events import EventDelivery, EventPublisher
    from passaparola.services.lifecycle import Lifecycle
    from passaparola.services.limits import AddressRateLimiter, RateLimiter
    from passaparola.services.link_requests import LinkRequests, LinkSender
    from passaparola.services.mail import Mail, Unsubscribes
    from passaparola.services.my_data import MyData
    from passaparola.services.ports import RewardIssuer, ShopCoupons
    from passaparola.services.refunds import Refunds
    from passaparola.services.reviews import Reviews
    from passaparola.services.rewards import ReleaseSchedule, RewardLifecycle
    from passaparola.services.sign_in import SignIn
    from passaparola.services.stats import Stats
    from passaparola.storage.dynamo import Table
    from passaparola.storage.events import EventQueue
    from passaparola.storage.idempotency import Idempotency
    from passaparola.storage.link_queue import LinkQueue
    from passaparola.storage.queue import RewardQueue
    from passaparola.storage.rekeying import Rekeying
    from passaparola.storage.shopify_api import ShopifyRewards
    from passaparola.storage.stripe_api import PromotionCodes, StripeRewards
    from passaparola.storage.woocommerce_api import WooCommerceRewards


P = ParamSpec("P")
T = TypeVar("T")


class _Cached(Protocol):
    def cache_clear(self) -> None: ...


_built: list[_Cached] = []


def built_once(factory: Callable[P, T]) -> Callable[P, T]:
    """Build once per cold start (per argument), and be forgotten by `reset()`: the cache
    registers itself, so no factory can be left out of the reset."""
    cached = cache(factory)
    _built.append(cached)
    return cached  # type: ignore[return-value]


@built_once
def table() -> Table:
    from passaparola.storage.dynamo import Table

    return Table(config.settings().table_name)


@built_once
def links() -> Links:
    s = config.settings()
    return Links(site_url=s.site_url, api_url=s.api_url)


def _key_secret(field: str) -> bytes:
    return _secret_bytes(config.settings().require(field))


def _secret_bytes(secret_id: str) -> bytes:
    """Generated secrets are base64 text; anything else is used as its UTF-8 bytes."""
    from passaparola.storage import secret_store

    value = secret_store.read(secret_id)
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return value.encode()


@built_once
def tokens() -> StatsTokens:
    from datetime import timedelta

    from passaparola.domain.tokens import StatsTokens

    lifetime = timedelta(days=config.settings().stats_link_days)
    return StatsTokens(_key_secret("stats_key_secret_id"), lifetime)


def idempotency() -> Idempotency:
    """Not cached here: each record's persistence layer is, per table (storage/idempotency.py)."""
    from passaparola.storage.idempotency import Idempotency

    return Idempotency(config.settings().table_name)


def origin_secret() -> str:
    """What CloudFront puts in the origin header. Not cached here: powertools caches the
    secret for minutes, so a new value is picked up."""
    from passaparola.storage import secret_store

    return secret_store.read(config.settings().require("origin_secret_id"))


_SETTINGS = {"me": "data_link", "sign-in": "sign_in"}


@built_once
def rate_limit(route: Literal["enrol", "claim", "code", "me", "sign-in"]) -> RateLimiter:
    from passaparola.domain.limits import Limit
    from passaparola.services.limits import RateLimiter
    from passaparola.storage.limits import LimitStore

    setting = _SETTINGS.get(route, route)
    limit = Limit.parse(config.settings().require(f"{setting}_rate_limit"))
    return RateLimiter(route, limit, LimitStore(table()), _key_secret("visitor_salt_secret_id"), utc_now)


@built_once
def address_limit(route: Literal["me", "sign-in"]) -> AddressRateLimiter:
    """The routes that mail a link to the address typed: one limit per address, each route its
    own count (`<route>@address`), under the visitor salt as the clients' counts are."""
    from passaparola.domain.limits import Limit
    from passaparola.services.limits import AddressRateLimiter
    from passaparola.storage.limits import LimitStore

    limit = Limit.parse(config.settings().require("address_rate_limit"))
    salt = _key_secret("visitor_salt_secret_id")
    return AddressRateLimiter(f"{route}@address", limit, LimitStore(table()), salt, utc_now)


@built_once
def marker_keys() -> MarkerKeys:
    from passaparola.domain.customers import MarkerKeys

    return MarkerKeys(_key_secret("fraud_pepper_secret_id"))


@built_once
def person_keys() -> PersonKeys:
    """People's keys share the customer markers' pepper: one secret that must never change."""
    from passaparola.domain.emails import PersonKeys

    return PersonKeys(_key_secret("fraud_pepper_secret_id"))


def rekeying(table_name: str, pepper_secret_id: str) -> Rekeying:
    """The upgrade's re-keying, for `passaparola migrate-keys`: built from a deployed stack's
    table and pepper, which the command looks up, not from a function's environment."""
    from passaparola.domain.emails import PersonKeys
    from passaparola.storage.dynamo import Table
    from passaparola.storage.rekeying import Rekeying

    return Rekeying(Table(table_name), PersonKeys(_secret_bytes(pepper_secret_id)), utc_now)


def webhook_verifier() -> Verifier:
    from passaparola.domain.signatures import Verifier
    from passaparola.storage import secret_store

    # Not cached here: powertools caches the secret for minutes, so a rotation is picked up.
    return Verifier(secret_store.read(config.settings().require("webhook_secret_id")).split())


def platform_secrets(platform: Literal["stripe", "shopify", "woocommerce"]) -> list[str]:
    """A shop platform's signing secrets, space-separated (several during a rotation). Not
    cached here, for the same reason as the webhook secret."""
    from passaparola.storage import secret_store

    return secret_store.read(config.settings().require(f"{platform}_secret_id")).split()


@built_once
def promotion_codes() -> PromotionCodes:
    from passaparola.storage import secret_store
    from passaparola.storage.stripe_api import PromotionCodes

    secret_id = config.settings().require("stripe_api_key_secret_id")
    return PromotionCodes(config.settings().stripe_api_url, lambda: secret_store.read(secret_id))


@built_once
def unsubscribe_tokens() -> UnsubscribeTokens:
    from passaparola.domain.tokens import UnsubscribeTokens

    return UnsubscribeTokens(_key_secret("unsubscribe_key_secret_id"))


def shop_coupons() -> ShopCoupons | None:
    """The brand's shop, where friends' coupons are created; its key is read with the first
    coupon, so functions that never create one need none."""
    return _shop()


def _shop() -> StripeRewards | ShopifyRewards | WooCommerceRewards | None:
    from passaparola.storage import secret_store

    shops = [brand.shop for brand in config.rules().brands.values() if brand.shop]
    if not shops:
        return None
    shop, settings = shops[0], config.settings()  # one brand per deployment
    address = settings.shop_api_url or shop.url
    if shop.platform == "woocommerce":
        from passaparola.storage.woocommerce_api import WooCommerceRewards

        assert address is not None  # the brand file's WooCommerce shop has its url
        return WooCommerceRewards(
            address, lambda: secret_store.read(settings.require("woocommerce_api_key_secret_id"))
        )
    if shop.platform == "shopify":
        from passaparola.storage.shopify_api import ShopifyRewards

        assert address is not None  # the brand file's Shopify shop has its url
        return ShopifyRewards(
            address, lambda: secret_store.read(settings.require("shopify_api_key_secret_id"))
        )
    from passaparola.storage.stripe_api import StripeRewards

    return StripeRewards(
        settings.stripe_api_url,
        lambda: secret_store.read(settings.require("stripe_api_key_secret_id")),
    )


def reward_issuers() -> dict[str, RewardIssuer]:
    """The platforms that issue referrers' rewards, by name: the brand's shop, and its payouts
    provider. Their keys are read with the first reward each issues, so a function that issues
    none (the claim's) needs neither."""
    from passaparola.storage import secret_store

    issuers: dict[str, RewardIssuer] = {}
    brands = list(config.rules().brands.values())
    if not brands:
        return issuers
    brand, shop, settings = brands[0], _shop(), config.settings()  # one brand per deployment
    if brand.shop is not None and shop is not None:
        issuers[brand.shop.platform] = shop
    if brand.payouts.provider == "tremendous":
        from passaparola.storage.tremendous_api import TremendousPayouts

        issuers["tremendous"] = TremendousPayouts(
            settings.tremendous_api_url,
            lambda: secret_store.read(settings.require("tremendous_api_key_secret_id")),
            brand.payouts,
        )
    return issuers


@built_once
def reward_queue() -> RewardQueue:
    from passaparola.storage.queue import RewardQueue

    return RewardQueue(config.settings().require("reward_queue_url"))


@built_once
def link_queue() -> LinkQueue:
    from passaparola.storage.link_queue import LinkQueue

    return LinkQueue(config.settings().require("link_queue_url"))


@built_once
def event_queue() -> EventQueue:
    from passaparola.storage.events import EventQueue

    return EventQueue(config.settings().require("event_queue_url"))


def event_retry_seconds() -> int:
    return config.settings().event_retry_seconds


@built_once
def event_publisher() -> EventPublisher:
    from passaparola.services.events import EventPublisher

    return EventPublisher(config.rules(), event_queue())


def _endpoint_secrets() -> dict[str, str]:
    """Not cached here: powertools caches the secret for minutes, so a new endpoint's secret,
    or a rotated one, is picked up."""
    import json

    from passaparola.storage import secret_store

    found = json.loads(secret_store.read(config.settings().require("outgoing_webhook_secrets_id")))
    if not isinstance(found, dict):
        raise ValueError("OutgoingWebhookSecrets must be a JSON object {endpoint id: whsec_...}")
    return {str(endpoint): str(secret) for endpoint, secret in found.items()}


@built_once
def event_delivery() -> EventDelivery:
    from passaparola.services.events import EventDelivery
    from passaparola.storage.events import post

    return EventDelivery(config.rules(), _endpoint_secrets, post, utc_now)


@built_once
def click_recorder() -> ClickRecorder:
    """Built from the click function's few variables and the compact click rules, without the
    settings model or the campaign models (pydantic): a click imports neither."""
    from passaparola.domain.limits import Limit
    from passaparola.environment import ClickEnvironment
    from passaparola.services.clicks import ClickRecorder
    from passaparola.services.limits import InstanceRateLimiter
    from passaparola.storage.click_rules import read_click_rules
    from passaparola.storage.clicks import ClickStore
    from passaparola.storage.dynamo import Table

    env = ClickEnvironment.read()
    salt = _secret_bytes(env.visitor_salt_secret_id)
    limiter = InstanceRateLimiter(Limit.parse(env.click_rate_limit), salt, utc_now)
    return ClickRecorder(
        read_click_rules(env.rules_path),
        ClickStore(Table(env.table_name)),
        limiter,
        salt,
        Links(site_url=env.site_url, api_url=env.api_url),
        utc_now,
    )


@built_once
def counter_rollup() -> CounterRollup:
    from passaparola.services.counters import CounterRollup
    from passaparola.storage.rollup import RollupStore

    return CounterRollup(RollupStore(table(), utc_now))


class Adapters(Protocol):
    """What the core services are built from: rules, links and a clock, the stores, the
    queue, the mailer and the keys. `AWS` gives the real ones; the unit tests give in-memory
    fakes (tests/fakes.py) to the same `build_*` factories."""

    @property
    def clock(self) -> Clock: ...

    def rules(self) -> Rules: ...

    def links(self) -> Links: ...

    def referrer_store(self) -> ports.ReferrerStore: ...

    def board_store(self) -> ports.BoardStore: ...

    def claim_store(self) -> ports.ClaimStore: ...

    def order_store(self) -> ports.OrderStore: ...

    def reward_ledger(self) -> ports.RewardLedger: ...

    def notice_store(self) -> ports.NoticeStore: ...

    def marker_store(self) -> ports.MarkerStore: ...

    def review_store(self) -> ports.ReviewStore: ...

    def opt_out_store(self) -> ports.OptOutStore: ...

    def click_counts(self) -> ports.ClickCounts: ...

    def sign_in_store(self) -> ports.SignInStore: ...

    def personal_store(self) -> ports.PersonalStore: ...

    def reward_queue(self) -> ports.RewardQueue: ...

    def shop_coupons(self) -> ports.ShopCoupons | None: ...

    def reward_issuers(self) -> Mapping[str, ports.RewardIssuer]: ...

    def link_queue(self) -> ports.LinkQueue: ...

    def mailer(self) -> ports.Mailer: ...

    def tokens(self) -> StatsTokens: ...

    def data_tokens(self) -> DataTokens: ...

    def unsubscribe_tokens(self) -> UnsubscribeTokens: ...

    def marker_keys(self) -> MarkerKeys: ...

    def person_keys(self) -> PersonKeys: ...

    def visitor_salt(self) -> bytes: ...

    def customer_marker_days(self) -> int: ...


class Aws:
    """The real adapters: DynamoDB, SQS, SES and Secrets Manager, each built when first asked
    for, so a function reads only the secrets its services use."""

    @property
    def clock(self) -> Clock:
        return utc_now  # looked up when a service is built: tests put a settable clock in

    def rules(self) -> Rules:
        return config.rules()

    def links(self) -> Links:
        return links()

    def referrer_store(self) -> ports.ReferrerStore:
        from passaparola.storage.referrers import ReferrerStore

        return ReferrerStore(table())

    def board_store(self) -> ports.BoardStore:
        from passaparola.storage.board import BoardStore

        return BoardStore(table())

    def claim_store(self) -> ports.ClaimStore:
        from passaparola.storage.claims import ClaimStore

        return ClaimStore(table())

    def order_store(self) -> ports.OrderStore:
        from passaparola.storage.orders import OrderStore

        return OrderStore(table())

    def reward_ledger(self) -> ports.RewardLedger:
        from passaparola.storage.rewards import RewardLedger

        return RewardLedger(table())

    def notice_store(self) -> ports.NoticeStore:
        from passaparola.storage.notices import NoticeStore

        return NoticeStore(table())

    def marker_store(self) -> ports.MarkerStore:
        from passaparola.storage.markers import MarkerStore

        return MarkerStore(table())

    def review_store(self) -> ports.ReviewStore:
        from passaparola.storage.reviews import ReviewStore

        return ReviewStore(table())

    def opt_out_store(self) -> ports.OptOutStore:
        from passaparola.storage.optouts import OptOutStore

        return OptOutStore(table())

    def click_counts(self) -> ports.ClickCounts:
        from passaparola.storage.clicks import ClickCounts

        return ClickCounts(table())

    def sign_in_store(self) -> ports.SignInStore:
        from passaparola.storage.sign_ins import SignInStore

        return SignInStore(table())

    def personal_store(self) -> ports.PersonalStore:
        from passaparola.storage.personal import PersonalStore

        return PersonalStore(table())

    def reward_queue(self) -> ports.RewardQueue:
        return reward_queue()

    def shop_coupons(self) -> ports.ShopCoupons | None:
        return shop_coupons()

    def reward_issuers(self) -> Mapping[str, ports.RewardIssuer]:
        return reward_issuers()

    def link_queue(self) -> ports.LinkQueue:
        return link_queue()

    def mailer(self) -> ports.Mailer:
        from passaparola.storage.mailer import Mailer

        return Mailer(config.settings().require("mail_from"))

    def tokens(self) -> StatsTokens:
        return tokens()

    def data_tokens(self) -> DataTokens:
        return data_tokens()

    def unsubscribe_tokens(self) -> UnsubscribeTokens:
        return unsubscribe_tokens()

    def marker_keys(self) -> MarkerKeys:
        return marker_keys()

    def person_keys(self) -> PersonKeys:
        return person_keys()

    def visitor_salt(self) -> bytes:
        return _key_secret("visitor_salt_secret_id")

    def customer_marker_days(self) -> int:
        return config.settings().customer_marker_days


AWS = Aws()


# The core services: `build_*` takes the adapters; the zero-argument factory, which routes
# and handlers are handed, builds on AWS once per cold start.


def build_mail(a: Adapters) -> Mail:
    from passaparola.services.mail import Mail

    return Mail(a.mailer(), a.opt_out_store(), a.unsubscribe_tokens, a.links())


@built_once
def mail() -> Mail:
    return build_mail(AWS)


def build_unsubscribes(a: Adapters) -> Unsubscribes:
    from passaparola.services.mail import Unsubscribes

    return Unsubscribes(a.unsubscribe_tokens(), a.opt_out_store(), a.person_keys(), a.clock)


@built_once
def unsubscribes() -> Unsubscribes:
    return build_unsubscribes(AWS)


def build_click_counter(a: Adapters) -> ClickCounter:
    from passaparola.services.click_counts import ClickCounter

    return ClickCounter(a.click_counts(), a.clock)


@built_once
def click_counter() -> ClickCounter:
    return build_click_counter(AWS)


def build_code_validator(a: Adapters) -> CodeValidator:
    from passaparola.services.codes import CodeValidator

    return CodeValidator(a.rules(), a.referrer_store(), a.clock)


@built_once
def code_validator() -> CodeValidator:
    return build_code_validator(AWS)


def build_reward_lifecycle(a: Adapters, mail: Mail) -> RewardLifecycle:
    from passaparola.services.rewards import RewardLifecycle

    return RewardLifecycle(
        a.rules(),
        a.reward_ledger(),
        a.referrer_store(),
        a.claim_store(),
        a.reward_queue(),
        mail,
        a.tokens(),
        a.links(),
        a.clock,
        a.shop_coupons(),
        a.reward_issuers(),
    )


@built_once
def reward_lifecycle() -> RewardLifecycle:
    return build_reward_lifecycle(AWS, mail())


def build_lifecycle(a: Adapters, mail: Mail, click_counter: ClickCounter) -> Lifecycle:
    from passaparola.services.lifecycle import Lifecycle

    return Lifecycle(
        a.rules(),
        a.notice_store(),
        a.referrer_store(),
        click_counter,
        a.claim_store(),
        a.reward_ledger(),
        a.order_store(),
        mail,
        a.tokens(),
        a.links(),
        a.clock,
    )


@built_once
def lifecycle() -> Lifecycle:
    return build_lifecycle(AWS, mail(), click_counter())


def build_release_schedule(a: Adapters) -> ReleaseSchedule:
    """The release schedule needs only the ledger's due index and the queue: no email, no keys."""
    from passaparola.services.rewards import ReleaseSchedule

    return ReleaseSchedule(a.reward_ledger(), a.reward_queue(), a.clock)


@built_once
def release_schedule() -> ReleaseSchedule:
    return build_release_schedule(AWS)


def build_enrolment(a: Adapters, mail: Mail) -> Enrolment:
    from passaparola.services.enrolment import Enrolment

    return Enrolment(
        a.rules(),
        a.referrer_store(),
        a.claim_store(),
        a.notice_store(),
        mail,
        a.tokens(),
        a.links(),
        a.person_keys(),
        a.visitor_salt(),
        a.clock,
    )


@built_once
def enrolment() -> Enrolment:
    return build_enrolment(AWS, mail())


def build_claims(a: Adapters, validator: CodeValidator, rewards: RewardLifecycle) -> Claims:
    from passaparola.services.claims import Claims

    return Claims(
        validator,
        a.claim_store(),
        a.marker_store(),
        a.marker_keys(),
        a.person_keys(),
        a.visitor_salt(),
        rewards,
        a.clock,
    )


@built_once
def claims() -> Claims:
    return build_claims(AWS, code_validator(), reward_lifecycle())


def build_conversions(a: Adapters) -> Conversions:
    from passaparola.services.conversions import Conversions

    return Conversions(
        a.rules(),
        a.referrer_store(),
        a.claim_store(),
        a.order_store(),
        a.marker_keys(),
        a.person_keys(),
        a.customer_marker_days(),
        a.reward_queue(),
        a.clock,
    )


@built_once
def conversions() -> Conversions:
    return build_conversions(AWS)


def build_refunds(a: Adapters) -> Refunds:
    from passaparola.services.refunds import Refunds

    shop = a.shop_coupons() is not None  # built, not called: its key is read by the worker only
    return Refunds(a.order_store(), a.reward_ledger(), a.clock, a.reward_queue(), shop)


@built_once
def refunds() -> Refunds:
    return build_refunds(AWS)


def build_reviews(a: Adapters) -> Reviews:
    from passaparola.services.reviews import Reviews

    return Reviews(a.review_store(), a.reward_ledger(), a.reward_queue(), a.clock)


@built_once
def reviews() -> Reviews:
    return build_reviews(AWS)


def build_my_data(a: Adapters) -> MyData:
    from passaparola.services.my_data import MyData

    return MyData(
        a.rules(),
        a.personal_store(),
        a.referrer_store(),
        a.marker_store(),
        a.data_tokens(),
        a.tokens(),
        a.marker_keys,
        a.person_keys(),
        a.clock,
    )


@built_once
def my_data() -> MyData:
    return build_my_data(AWS)


def build_link_requests(a: Adapters) -> LinkRequests:
    from passaparola.services.link_requests import LinkRequests

    return LinkRequests(a.link_queue())


@built_once
def link_requests() -> LinkRequests:
    return build_link_requests(AWS)


def build_link_sender(a: Adapters, mail: Mail) -> LinkSender:
    from passaparola.services.link_requests import LinkSender
    from passaparola.services.my_data import DataLinks
    from passaparola.services.sign_in import SignInLinks

    return LinkSender(
        SignInLinks(a.rules(), a.sign_in_store(), a.mailer(), a.links(), a.clock),
        DataLinks(a.rules(), a.personal_store(), mail, a.data_tokens(), a.person_keys(), a.links(), a.clock),
    )


@built_once
def link_sender() -> LinkSender:
    return build_link_sender(AWS, mail())


@built_once
def data_tokens() -> DataTokens:
    from passaparola.domain.tokens import DATA_LINK_LIFETIME, DataTokens

    return DataTokens(_key_secret("stats_key_secret_id"), DATA_LINK_LIFETIME)


def build_stats(a: Adapters, click_counter: ClickCounter) -> Stats:
    from passaparola.services.stats import Stats

    return Stats(
        a.rules(), a.referrer_store(), a.board_store(), click_counter, a.tokens(), a.links(), a.clock
    )


@built_once
def stats() -> Stats:
    return build_stats(AWS, click_counter())


def now() -> datetime:
    """The time by the clock every service is built with (tests put a settable one in)."""
    return utc_now()


@built_once
def admin_sessions() -> Sessions:
    from passaparola.domain.admin import Sessions

    return Sessions(_key_secret("admin_session_key_secret_id"))


def credentials() -> Credentials:
    """Not cached here: powertools caches the keys for minutes, so a rotated key is picked up."""
    from passaparola.domain.admin import Credentials, MachineKeys
    from passaparola.storage import secret_store

    keys = MachineKeys(secret_store.read(config.settings().require("admin_keys_secret_id")).split())
    return Credentials(keys, admin_sessions(), config.rules().admins)


@built_once
def cursors() -> Cursors:
    from passaparola.domain.cursors import Cursors

    return Cursors(_key_secret("admin_session_key_secret_id"))


def build_sign_in(a: Adapters, sessions: Sessions) -> SignIn:
    from passaparola.services.sign_in import SignIn

    return SignIn(a.rules(), a.sign_in_store(), sessions, a.clock)


@built_once
def sign_in() -> SignIn:
    return build_sign_in(AWS, admin_sessions())


@built_once
def reports() -> Reports:
    from passaparola.services.admin import Reports
    from passaparola.storage.counters import CounterStore

    return Reports(config.rules(), CounterStore(table()), click_counter(), utc_now)


@built_once
def referrals() -> Referrals:
    from passaparola.services.admin import Referrals
    from passaparola.storage.referrals import ReferralStore

    return Referrals(config.rules(), ReferralStore(table()), cursors(), utc_now)


@built_once
def fulfilments() -> Fulfilments:
    from passaparola.services.admin import Fulfilments
    from passaparola.storage.rewards import RewardLedger
    from passaparola.storage.waiting import WaitingStore

    return Fulfilments(config.rules(), WaitingStore(table()), RewardLedger(table()), cursors(), utc_now)


@built_once
def review_queue() -> ReviewQueue:
    from passaparola.services.admin import ReviewQueue
    from passaparola.storage.waiting import WaitingStore

    return ReviewQueue(config.rules(), WaitingStore(table()), cursors())


@built_once
def daily_digest() -> DailyDigest:
    from passaparola.services.digest import DailyDigest
    from passaparola.storage.counters import CounterStore
    from passaparola.storage.digests import DigestLog
    from passaparola.storage.waiting import WaitingStore

    return DailyDigest(
        config.rules(),
        CounterStore(table()),
        WaitingStore(table()),
        DigestLog(table()),
        mail(),
        links(),
        person_keys(),
        utc_now,
    )


def reset() -> None:
    """Forget every built service (tests switch environments between cases)."""
    for factory in _built:
        factory.cache_clear()
    config.settings.cache_clear()
    config.rules.cache_clear()
