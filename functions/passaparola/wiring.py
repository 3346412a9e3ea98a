"""The composition root: builds each service from its adapters, once per cold start.

Each factory imports what it builds, so a function loads only the modules it uses (the click
recorder never imports the reward ledger, the email composer or Babel).
"""

from __future__ import annotations

import base64
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from passaparola import config
from passaparola.services import Links, utc_now

if TYPE_CHECKING:
    from passaparola.domain.admin import Credentials, Sessions
    from passaparola.domain.cursors import Cursors
    from passaparola.domain.customers import MarkerKeys
    from passaparola.domain.signatures import Verifier
    from passaparola.domain.tokens import StatsTokens, UnsubscribeTokens
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
    from passaparola.services.limits import RateLimiter
    from passaparola.services.mail import Mail, Unsubscribes
    from passaparola.services.my_data import MyData
    from passaparola.services.refunds import Refunds
    from passaparola.services.reviews import Reviews
    from passaparola.services.rewards import ReleaseSchedule, RewardLifecycle
    from passaparola.services.sign_in import SignIn
    from passaparola.services.stats import Stats
    from passaparola.storage.dynamo import Table
    from passaparola.storage.events import EventQueue
    from passaparola.storage.queue import RewardQueue
    from passaparola.storage.stripe_api import PromotionCodes


@cache
def table() -> Table:
    from passaparola.storage.dynamo import Table

    return Table(config.settings().table_name)


@cache
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


@cache
def tokens() -> StatsTokens:
    from datetime import timedelta

    from passaparola.domain.tokens import StatsTokens

    lifetime = timedelta(days=config.settings().stats_link_days)
    return StatsTokens(_key_secret("stats_key_secret_id"), lifetime)


def origin_secret() -> str:
    """What CloudFront puts in the origin header. Not cached here: powertools caches the
    secret for minutes, so a new value is picked up."""
    from passaparola.storage import secret_store

    return secret_store.read(config.settings().require("origin_secret_id"))


@cache
def rate_limit(route: Literal["enrol", "claim", "code", "me"]) -> RateLimiter:
    from passaparola.domain.limits import Limit
    from passaparola.services.limits import RateLimiter
    from passaparola.storage.limits import LimitStore

    # Asking for a data link mails an address, as enrolling does: the same limit, its own count.
    setting = "enrol" if route == "me" else route
    limit = Limit.parse(config.settings().require(f"{setting}_rate_limit"))
    return RateLimiter(route, limit, LimitStore(table()), _key_secret("visitor_salt_secret_id"), utc_now)


@cache
def marker_keys() -> MarkerKeys:
    from passaparola.domain.customers import MarkerKeys

    return MarkerKeys(_key_secret("fraud_pepper_secret_id"))


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


@cache
def promotion_codes() -> PromotionCodes:
    from passaparola.storage import secret_store
    from passaparola.storage.stripe_api import PromotionCodes

    secret_id = config.settings().require("stripe_api_key_secret_id")
    return PromotionCodes(config.settings().stripe_api_url, lambda: secret_store.read(secret_id))


@cache
def unsubscribe_tokens() -> UnsubscribeTokens:
    from passaparola.domain.tokens import UnsubscribeTokens

    return UnsubscribeTokens(_key_secret("unsubscribe_key_secret_id"))


@cache
def mail() -> Mail:
    from passaparola.services.mail import Mail
    from passaparola.storage.mailer import Mailer
    from passaparola.storage.optouts import OptOutStore

    return Mail(
        Mailer(config.settings().require("mail_from")), OptOutStore(table()), unsubscribe_tokens, links()
    )


@cache
def unsubscribes() -> Unsubscribes:
    from passaparola.services.mail import Unsubscribes
    from passaparola.storage.optouts import OptOutStore

    return Unsubscribes(unsubscribe_tokens(), OptOutStore(table()), utc_now)


@cache
def reward_queue() -> RewardQueue:
    from passaparola.storage.queue import RewardQueue

    return RewardQueue(config.settings().require("reward_queue_url"))


@cache
def event_queue() -> EventQueue:
    from passaparola.storage.events import EventQueue

    return EventQueue(config.settings().require("event_queue_url"))


def event_retry_seconds() -> int:
    return config.settings().event_retry_seconds


@cache
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


@cache
def event_delivery() -> EventDelivery:
    from passaparola.services.events import EventDelivery
    from passaparola.storage.events import post

    return EventDelivery(config.rules(), _endpoint_secrets, post, utc_now)


@cache
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


@cache
def click_counter() -> ClickCounter:
    from passaparola.services.click_counts import ClickCounter
    from passaparola.storage.clicks import ClickCounts

    return ClickCounter(ClickCounts(table()), utc_now)


@cache
def counter_rollup() -> CounterRollup:
    from passaparola.services.counters import CounterRollup
    from passaparola.storage.rollup import RollupStore

    return CounterRollup(RollupStore(table(), utc_now))


@cache
def code_validator() -> CodeValidator:
    from passaparola.services.codes import CodeValidator
    from passaparola.storage.referrers import ReferrerStore

    return CodeValidator(config.rules(), ReferrerStore(table()), utc_now)


@cache
def reward_lifecycle() -> RewardLifecycle:
    from passaparola.services.rewards import RewardLifecycle
    from passaparola.storage.claims import ClaimStore
    from passaparola.storage.referrers import ReferrerStore
    from passaparola.storage.rewards import RewardLedger

    return RewardLifecycle(
        config.rules(),
        RewardLedger(table()),
        ReferrerStore(table()),
        ClaimStore(table()),
        reward_queue(),
        mail(),
        tokens(),
        links(),
        utc_now,
    )


@cache
def lifecycle() -> Lifecycle:
    from passaparola.services.lifecycle import Lifecycle
    from passaparola.storage.claims import ClaimStore
    from passaparola.storage.notices import NoticeStore
    from passaparola.storage.orders import OrderStore
    from passaparola.storage.referrers import ReferrerStore
    from passaparola.storage.rewards import RewardLedger

    return Lifecycle(
        config.rules(),
        NoticeStore(table()),
        ReferrerStore(table()),
        click_counter(),
        ClaimStore(table()),
        RewardLedger(table()),
        OrderStore(table()),
        mail(),
        tokens(),
        links(),
        utc_now,
    )


@cache
def release_schedule() -> ReleaseSchedule:
    """The release schedule needs only the ledger's due index and the queue: no email, no keys."""
    from passaparola.services.rewards import ReleaseSchedule
    from passaparola.storage.rewards import RewardLedger

    return ReleaseSchedule(RewardLedger(table()), reward_queue(), utc_now)


@cache
def enrolment() -> Enrolment:
    from passaparola.services.enrolment import Enrolment
    from passaparola.storage.claims import ClaimStore
    from passaparola.storage.notices import NoticeStore
    from passaparola.storage.referrers import ReferrerStore

    return Enrolment(
        config.rules(),
        ReferrerStore(table()),
        ClaimStore(table()),
        NoticeStore(table()),
        mail(),
        tokens(),
        links(),
        _key_secret("visitor_salt_secret_id"),
        utc_now,
    )


@cache
def claims() -> Claims:
    from passaparola.services.claims import Claims
    from passaparola.storage.claims import ClaimStore
    from passaparola.storage.markers import MarkerStore

    return Claims(
        code_validator(),
        ClaimStore(table()),
        MarkerStore(table()),
        marker_keys(),
        _key_secret("visitor_salt_secret_id"),
        reward_lifecycle(),
        utc_now,
    )


@cache
def conversions() -> Conversions:
    from passaparola.services.conversions import Conversions
    from passaparola.storage.claims import ClaimStore
    from passaparola.storage.orders import OrderStore
    from passaparola.storage.referrers import ReferrerStore

    return Conversions(
        config.rules(),
        ReferrerStore(table()),
        ClaimStore(table()),
        OrderStore(table()),
        marker_keys(),
        config.settings().customer_marker_days,
        reward_queue(),
        utc_now,
    )


@cache
def refunds() -> Refunds:
    from passaparola.services.refunds import Refunds
    from passaparola.storage.orders import OrderStore
    from passaparola.storage.rewards import RewardLedger

    return Refunds(OrderStore(table()), RewardLedger(table()), utc_now)


@cache
def reviews() -> Reviews:
    from passaparola.services.reviews import Reviews
    from passaparola.storage.reviews import ReviewStore
    from passaparola.storage.rewards import RewardLedger

    return Reviews(ReviewStore(table()), RewardLedger(table()), reward_queue(), utc_now)


@cache
def my_data() -> MyData:
    from datetime import timedelta

    from passaparola.domain.tokens import DataTokens
    from passaparola.services.my_data import MyData
    from passaparola.storage.markers import MarkerStore
    from passaparola.storage.personal import PersonalStore
    from passaparola.storage.referrers import ReferrerStore

    return MyData(
        config.rules(),
        PersonalStore(table()),
        ReferrerStore(table()),
        MarkerStore(table()),
        mail(),
        DataTokens(_key_secret("stats_key_secret_id"), timedelta(hours=1)),
        tokens(),
        marker_keys,
        links(),
        utc_now,
    )


@cache
def stats() -> Stats:
    from passaparola.services.stats import Stats
    from passaparola.storage.board import BoardStore
    from passaparola.storage.referrers import ReferrerStore

    store = table()
    return Stats(
        config.rules(), ReferrerStore(store), BoardStore(store), click_counter(), tokens(), links(), utc_now
    )


def now() -> datetime:
    """The time by the clock every service is built with (tests put a settable one in)."""
    return utc_now()


@cache
def admin_sessions() -> Sessions:
    from passaparola.domain.admin import Sessions

    return Sessions(_key_secret("admin_session_key_secret_id"))


def credentials() -> Credentials:
    """Not cached here: powertools caches the keys for minutes, so a rotated key is picked up."""
    from passaparola.domain.admin import Credentials, MachineKeys
    from passaparola.storage import secret_store

    keys = MachineKeys(secret_store.read(config.settings().require("admin_keys_secret_id")).split())
    return Credentials(keys, admin_sessions(), config.rules().admins)


@cache
def cursors() -> Cursors:
    from passaparola.domain.cursors import Cursors

    return Cursors(_key_secret("admin_session_key_secret_id"))


@cache
def sign_in() -> SignIn:
    from passaparola.services.sign_in import SignIn
    from passaparola.storage.sign_ins import SignInStore

    return SignIn(config.rules(), SignInStore(table()), mail().mailer, admin_sessions(), links(), utc_now)


@cache
def reports() -> Reports:
    from passaparola.services.admin import Reports
    from passaparola.storage.counters import CounterStore

    return Reports(config.rules(), CounterStore(table()), click_counter(), utc_now)


@cache
def referrals() -> Referrals:
    from passaparola.services.admin import Referrals
    from passaparola.storage.referrals import ReferralStore

    return Referrals(config.rules(), ReferralStore(table()), cursors(), utc_now)


@cache
def fulfilments() -> Fulfilments:
    from passaparola.services.admin import Fulfilments
    from passaparola.storage.rewards import RewardLedger
    from passaparola.storage.waiting import WaitingStore

    return Fulfilments(config.rules(), WaitingStore(table()), RewardLedger(table()), cursors(), utc_now)


@cache
def review_queue() -> ReviewQueue:
    from passaparola.services.admin import ReviewQueue
    from passaparola.storage.waiting import WaitingStore

    return ReviewQueue(config.rules(), WaitingStore(table()), cursors())


@cache
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
        utc_now,
    )


def reset() -> None:
    """Forget every built service (tests switch environments between cases)."""
    factories: list[Any] = [
        table,
        links,
        tokens,
        unsubscribe_tokens,
        mail,
        reward_queue,
        marker_keys,
        rate_limit,
    ]
    factories += [
        click_recorder,
        click_counter,
        code_validator,
        reward_lifecycle,
        lifecycle,
        release_schedule,
        enrolment,
    ]
    factories += [claims]
    factories += [conversions, refunds, reviews, stats, promotion_codes, unsubscribes, counter_rollup]
    factories += [admin_sessions, cursors, sign_in, reports, referrals, fulfilments, review_queue]
    factories += [event_queue, event_publisher, event_delivery, daily_digest, my_data]
    for factory in factories:
        factory.cache_clear()
    config.settings.cache_clear()
    config.rules.cache_clear()
