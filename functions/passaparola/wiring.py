"""The composition root: builds each service from its adapters, once per cold start."""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from passaparola import config
from passaparola.domain.signatures import Verifier
from passaparola.domain.tokens import StatsTokens
from passaparola.services import Links, utc_now
from passaparola.services.claims import Claims
from passaparola.services.clicks import ClickRecorder
from passaparola.services.codes import CodeValidator
from passaparola.services.conversions import Conversions
from passaparola.services.enrolment import Enrolment
from passaparola.services.refunds import Refunds
from passaparola.services.rewards import RewardLifecycle
from passaparola.services.stats import Stats
from passaparola.storage import secret_store
from passaparola.storage.claims import ClaimStore
from passaparola.storage.clicks import ClickStore
from passaparola.storage.conversions import ConversionStore
from passaparola.storage.dynamo import Table
from passaparola.storage.mailer import Mailer
from passaparola.storage.queue import RewardQueue
from passaparola.storage.referrers import ReferrerStore
from passaparola.storage.rewards import RewardStore


@cache
def table() -> Table:
    return Table(config.settings().table_name)


@cache
def links() -> Links:
    s = config.settings()
    return Links(site_url=s.site_url, api_url=s.api_url)


def _key_secret(field: str) -> bytes:
    """Generated secrets are base64 text; anything else is used as its UTF-8 bytes."""
    value = secret_store.read(config.settings().require(field))
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return value.encode()


@cache
def tokens() -> StatsTokens:
    return StatsTokens(_key_secret("stats_key_secret_id"))


def webhook_verifier() -> Verifier:
    # Not cached here: powertools caches the secret for minutes, so a rotation is picked up.
    return Verifier(secret_store.read(config.settings().require("webhook_secret_id")).split())


@cache
def mailer() -> Mailer:
    return Mailer(config.settings().require("mail_from"))


@cache
def click_recorder() -> ClickRecorder:
    return ClickRecorder(
        config.rules(), ClickStore(table()), _key_secret("visitor_salt_secret_id"), links(), utc_now
    )


@cache
def code_validator() -> CodeValidator:
    return CodeValidator(config.rules(), ReferrerStore(table()), utc_now)


@cache
def reward_queue() -> RewardQueue:
    return RewardQueue(config.settings().require("reward_queue_url"))


@cache
def reward_lifecycle() -> RewardLifecycle:
    return RewardLifecycle(
        config.rules(),
        RewardStore(table()),
        ReferrerStore(table()),
        ClaimStore(table()),
        reward_queue(),
        mailer(),
        tokens(),
        links(),
        utc_now,
    )


@cache
def enrolment() -> Enrolment:
    return Enrolment(
        config.rules(), ReferrerStore(table()), ClaimStore(table()), mailer(), tokens(), links(), utc_now
    )


@cache
def claims() -> Claims:
    return Claims(code_validator(), ClaimStore(table()), RewardStore(table()), reward_lifecycle(), utc_now)


@cache
def conversions() -> Conversions:
    return Conversions(
        config.rules(),
        ReferrerStore(table()),
        ClaimStore(table()),
        ConversionStore(table()),
        reward_queue(),
        utc_now,
    )


@cache
def refunds() -> Refunds:
    return Refunds(ConversionStore(table()), RewardStore(table()), utc_now)


@cache
def stats() -> Stats:
    return Stats(config.rules(), ReferrerStore(table()), tokens(), links(), utc_now)


def reset() -> None:
    """Forget every built service (tests switch environments between cases)."""
    factories: list[Any] = [table, links, tokens, mailer, click_recorder, code_validator, reward_queue]
    factories += [reward_lifecycle, enrolment, claims, conversions, refunds, stats]
    for factory in factories:
        factory.cache_clear()
    config.settings.cache_clear()
    config.rules.cache_clear()
