"""The README's signed-request examples (curl and Python) work against the running stack,
so the documentation cannot drift from the API."""

import json
import re
import subprocess
import sys

import pytest

from passaparola.domain import fraud
from passaparola.domain.campaign import FraudModes
from passaparola.domain.platforms import shopify, stripe, woocommerce
from passaparola_localstack import console, shop_samples
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def block(language: str) -> str:
    section_text = section("Wiring up your shop")
    (found,) = re.findall(rf"```{language}\n(.*?)```", section_text, flags=re.DOTALL)
    return found


@pytest.mark.e2e
def test_the_curl_example_is_accepted(local_stack):
    script = re.sub(r"^API=.*$", f"API={local_stack.url}", block("sh"), count=1, flags=re.MULTILINE)
    script = re.sub(
        r"^SECRET=.*$", f"SECRET='{local_stack.webhook_secret}'", script, count=1, flags=re.MULTILINE
    )
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, timeout=60)
    answer = json.loads(done.stdout)
    assert answer["status"] in {"rejected", "duplicate"}, answer  # a valid signature: no 401
    assert answer["conversion_id"].startswith("cv_")


@pytest.mark.e2e
def test_the_python_example_is_accepted(local_stack):
    environment = {"API": local_stack.url, "SECRET": local_stack.webhook_secret, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", block("python")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env=environment,
    )
    answer = json.loads(done.stdout)
    assert answer["status"] in {"rejected", "duplicate"}, answer
    assert answer["reason"] in {"unattributed", None}


@pytest.mark.unit
def test_the_readme_lists_every_fraud_rule_in_order():
    rows = re.findall(
        r"^\| `([a-z_]+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$",
        section("Fraud and abuse"),
        flags=re.MULTILINE,
    )
    assert [(rule, explanation) for rule, explanation, *_ in rows] == [
        (check.id, check.explanation) for check in fraud.CHECKS
    ]
    modes = FraudModes()
    for rule, _, applies, effect, default in rows:
        assert effect == {"reject": "rejects", "review": "review"}[fraud.BY_ID[rule].effect], rule
        assert ("claims" in applies) is (rule in fraud.CLAIM_CHECKS), rule
        configurable = rule in FraudModes.model_fields
        assert default == (
            {"enforce": "enforced", "shadow": "shadow"}[modes.mode(rule)] if configurable else "always"
        )


@pytest.mark.unit
def test_the_readme_connects_each_platform_with_the_events_passaparola_reads():
    text = section("Connect your shop")
    for event in (*stripe.PAID, stripe.REFUNDED, shopify.PAID, shopify.REFUNDED):
        assert f"`{event}`" in text, event
    assert "Order updated (`order.updated`)" in text
    assert all(f"`{status}`" in text for status in woocommerce.PAID_STATUSES)
    for platform, events in shop_samples.EVENTS.items():
        assert f"`<ApiUrl>/integrations/{platform}`" in text
        for event in events:
            assert f"./passaparola store {platform} {event}" in text, (platform, event)
    for name in console.PLATFORM_NAMES.values():
        assert f"`{name} secret " in text


@pytest.mark.e2e
def test_the_running_your_programme_examples_answer_with_the_printed_admin_key(local_stack, tmp_path):
    curl = section("Running your programme").split("With curl:", 1)[1].split("\n### ", 1)[0]
    (script,) = re.findall(r"```sh\n(.*?)```", curl, re.DOTALL)
    script = re.sub(r"^API=.*$", f"API={local_stack.url}", script, count=1, flags=re.MULTILINE)
    script = re.sub(r"^KEY=.*$", f"KEY='{local_stack.admin_key}'", script, count=1, flags=re.MULTILINE)
    done = subprocess.run(
        ["bash", "-c", "set -e\n" + script.replace("curl -sS", "curl -sSf")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert '"campaign":"spring"' in done.stdout
    assert done.stdout.count('"next_cursor"') == 3
    assert (tmp_path / "spring-report.csv").read_text().startswith("section,key,metric,value")


def _events_receiver() -> str:
    """The receiver example of "Running your programme" / "Events", run as the README gives it."""
    part = section("Running your programme").split("### Events", 1)[1].split("\n### ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)```", part, flags=re.DOTALL)
    return str(code)


@pytest.mark.unit
def test_the_readmes_event_receiver_takes_a_signed_event_once_and_refuses_a_tampered_one(monkeypatch):
    from datetime import UTC, datetime

    from passaparola.domain.events import event_of
    from passaparola.domain.records import Claim
    from passaparola.domain.signatures import sign
    from passaparola_localstack.provision import new_webhook_secret

    secret = new_webhook_secret()
    monkeypatch.setenv("PASSAPAROLA_EVENTS_SECRET", secret)
    namespace: dict[str, object] = {}
    exec(_events_receiver(), namespace)
    receive = namespace["receive"]
    now = datetime.now(UTC)
    claim = Claim("marco@example.com", "spring", "cl_1", "SPRING-BCDFGHJKM", "marco@example.com", "en", now)
    event = event_of(None, claim, "record-1", now)
    assert event is not None
    headers = sign(event.body(), event.id, now, secret)
    tampered = event.body().replace(b"cl_1", b"cl_2")
    assert receive(tampered, headers) == 400  # type: ignore[operator]
    assert receive(event.body(), headers) == 204  # type: ignore[operator]
    assert receive(event.body(), headers) == 204  # type: ignore[operator]
    assert namespace["seen"] == {event.id}
