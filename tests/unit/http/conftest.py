"""The HTTP layer alone: the real handlers, through the same local CloudFront and API Gateway
as the integration tests, with the routes handed services built by wiring's own factories on
the in-memory fakes (`app.dependency_overrides`). Nothing here reaches moto: what tests the
DynamoDB, SQS and SES adapters stays in tests/integration."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from passaparola import config, wiring
from passaparola.api import needs, origin
from passaparola.domain.admin import Credentials, MachineKeys, Sessions
from passaparola.domain.limits import Limit
from passaparola.domain.signatures import Verifier
from passaparola.services.limits import AddressRateLimiter, RateLimiter
from passaparola_localstack import template as local_template
from passaparola_localstack.gateway import Gateway
from tests import fakes
from tests.support import ADMIN_KEY, API, ROOMY_LIMITS, SITE, WEBHOOK_SECRET, Client

ORIGIN_SECRET = "origin-secret-for-unit-tests"


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return local_template.load()


@dataclass
class FakeStack:
    """What the local gateway needs of a stack: the template, and CloudFront's origin header."""

    template: dict[str, Any]

    def origin_headers(self) -> dict[str, str]:
        return {origin.HEADER: ORIGIN_SECRET}


class Api(Client):
    """A client of the handlers on fakes: `adapters` holds what the services wrote, and `built`
    names every service a route was handed, in order."""

    def __init__(self, template: dict[str, Any], adapters: fakes.Adapters) -> None:
        # Client's calls, through the local gateway; no stream or queue runs without moto.
        self.stack = FakeStack(template)  # type: ignore[assignment]
        self.gateway = Gateway(self.stack)  # type: ignore[arg-type]
        self.adapters = adapters
        self.built: list[str] = []
        # Each route's limit, by its count's name: one no test reaches, unless a test sets its own.
        roomy = Limit.parse(ROOMY_LIMITS["EnrolRateLimit"])
        self.limits: dict[str, Limit] = dict.fromkeys(
            ["enrol", "claim", "code", "me", "sign-in", "me@address", "sign-in@address"], roomy
        )

    def outbox(self) -> list[Any]:
        return list(self.adapters.outbox.sent)

    def run_links(self) -> list[bool]:
        """Hand the links asked for to the worker's service, as the link queue would: whether
        each went out."""
        a = self.adapters
        sender = wiring.build_link_sender(a, wiring.build_mail(a))
        return [sender.send(request) for request in a.links_asked.take()]

    def state(self) -> tuple[Any, ...]:
        """What a request could have written: every item, queued messages (rewards, links)
        and mail."""
        memory = self.adapters.memory
        items = repr(sorted((k, repr(v)) for k, v in vars(memory).items()))
        queued = len(self.adapters.queue.sent), len(self.adapters.links_asked.sent)
        return items, queued, len(self.adapters.outbox.sent)


def _overrides(api: Api) -> dict[Callable[..., Any], Callable[..., Any]]:
    a = api.adapters
    mail = wiring.build_mail(a)
    rewards = wiring.build_reward_lifecycle(a, mail)
    services: dict[Callable[..., Any], Callable[[], Any]] = {
        wiring.enrolment: lambda: wiring.build_enrolment(a, mail),
        wiring.claims: lambda: wiring.build_claims(a, wiring.build_code_validator(a), rewards),
        wiring.code_validator: lambda: wiring.build_code_validator(a),
        wiring.stats: lambda: wiring.build_stats(a, wiring.build_click_counter(a)),
        wiring.my_data: lambda: wiring.build_my_data(a),
        wiring.link_requests: lambda: wiring.build_link_requests(a),
        wiring.sign_in: lambda: wiring.build_sign_in(a, Sessions(b"s" * 32)),
    }
    for factory, route in [
        (needs.enrol_limit, "enrol"),
        (needs.claim_limit, "claim"),
        (needs.code_limit, "code"),
        (needs.data_link_limit, "me"),
        (needs.sign_in_limit, "sign-in"),
    ]:
        services[factory] = lambda route=route: RateLimiter(
            route, api.limits[route], fakes.Limits(a.memory), a.visitor_salt(), a.clock
        )
    for factory, route in [
        (needs.data_link_address_limit, "me@address"),
        (needs.sign_in_address_limit, "sign-in@address"),
    ]:
        services[factory] = lambda route=route: AddressRateLimiter(
            route, api.limits[route], fakes.Limits(a.memory), a.visitor_salt(), a.clock
        )

    def handing(name: str, build: Callable[[], Any]) -> Callable[[], Any]:
        def handed() -> Any:
            api.built.append(name)
            return build()

        return handed

    return {factory: handing(factory.__name__, build) for factory, build in services.items()}


def _wiring_clock() -> datetime:
    """wiring's clock, looked up at each call: the `clock` fixture puts a settable one there."""
    return wiring.utc_now()


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch, rules_path: Path, template: dict[str, Any]) -> Iterator[Api]:
    for name, value in {"TABLE_NAME": "unused", "SITE_URL": SITE, "API_URL": API}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("RULES_PATH", str(rules_path))
    # CloudFront's secret header, as the gate reads it: the one secret the HTTP layer itself checks.
    monkeypatch.setattr(wiring, "origin_secret", lambda: ORIGIN_SECRET)
    # And the gates of the store's signed calls and of the business's routes: their secrets.
    monkeypatch.setattr(wiring, "webhook_verifier", lambda: Verifier([WEBHOOK_SECRET]))
    monkeypatch.setattr(
        wiring,
        "credentials",
        lambda: Credentials(MachineKeys([ADMIN_KEY]), Sessions(b"s" * 32), config.rules().admins),
    )
    wiring.reset()
    client = Api(template, fakes.Adapters(config.rules(), _wiring_clock))
    overrides = _overrides(client)
    apps = []
    for route in local_template.routes(template):
        module, _, _ = local_template.handler_of(template, route.function).rpartition(".")
        app = getattr(importlib.import_module(module), "app", None)
        if app is not None and app not in apps:
            apps.append(app)
            app.dependency_overrides.update(overrides)
    yield client
    for app in apps:
        app.dependency_overrides.clear()


@pytest.fixture
def client(api: Api) -> Api:
    """Named as the integration tests name theirs, so a test moves here unchanged."""
    return api
