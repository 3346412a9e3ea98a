"""`passaparola cost`: what a million clicks cost, from the template's settings and from calls
measured on moto.

From the template: the click function's memory and architecture, its log levels (JSON at WARN
writes no platform lines), which origin CloudFront's /r/* behaviour reaches (a function URL
costs nothing per request; the HTTP API $1 a million), and the rollup's batch size. Measured
on moto, through the real handlers: the DynamoDB calls and write units of one counted click,
its answer's bytes, what it logs; what the counters' rollup writes and reads per click, for
three ways clicks fall into its batches; what a kept visit takes in storage; and what a
referrer's stats view reads (a code's clicks are counted on read, from its visits). Prices are
list prices, with their source and date below.
"""

from __future__ import annotations

import base64
import contextlib
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from passaparola_build import paths
from passaparola_localstack import template as cfn
from passaparola_tools.capacity import Writes, item_bytes, recording

# AWS list prices, us-east-1, as published on aws.amazon.com/<service>/pricing in 2025 (DynamoDB
# on demand after its November 2024 cut). Not re-checked from the machine that runs this.
PRICES_AS_OF = (
    "AWS list prices for us-east-1, 2025 (the pricing pages of aws.amazon.com/cloudfront, /lambda, "
    "/dynamodb, /cloudwatch)"
)
CLOUDFRONT_HTTPS_PER_REQUEST = 0.0100 / 10_000  # PriceClass_100, United States and Europe
CLOUDFRONT_OUT_PER_GB = 0.085  # data transfer out to the internet, first 10 TB
CLOUDFRONT_TO_ORIGIN_PER_GB = 0.020  # regional data transfer out to the origin
HTTP_API_PER_REQUEST = 1.00 / 1_000_000  # first 300 million a month
LAMBDA_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_PER_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1_000_000  # on-demand write request unit
DYNAMODB_PER_READ_UNIT = 0.125 / 1_000_000  # on-demand read request unit
LOGS_PER_GB = 0.50  # CloudWatch Logs standard ingestion
DYNAMODB_STORAGE_PER_GB_MONTH = 0.25  # standard table class
DYNAMODB_PITR_PER_GB_MONTH = 0.20  # point-in-time recovery, which the template turns on
DYNAMODB_ITEM_OVERHEAD = 100  # bytes DynamoDB adds to each item it stores
# Assumptions, not measurements: Lambda bills the handler's time in-region, which moto cannot show.
WARM_CLICK_MS = 10  # the handler's own work is about 0.1 ms; one PutItem in-region a few ms
COLD_START_EVERY = 200
COLD_START_SECONDS = 1.0
ROLLUP_BATCH_MS = 300  # one batch of up to a thousand records: a read and a few transactions
# What CloudFront adds to a 302 on its way out (Date, Via, X-Cache, X-Amz-Cf-Pop, X-Amz-Cf-Id,
# Connection), with typical values; the response headers policy's headers are read from the template.
CLOUDFRONT_OWN_HEADERS = (
    "Date: Tue, 01 Dec 2026 12:00:00 GMT\r\nConnection: keep-alive\r\n"
    "Via: 1.1 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)\r\n"
    "X-Cache: Miss from cloudfront\r\nX-Amz-Cf-Pop: FRA56-P1\r\n"
    "X-Amz-Cf-Id: 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX==\r\n"
)
# What CloudFront's signed request to the function URL carries besides the forwarded headers:
# the request line, Host, and the SigV4 headers of origin access control.
CLOUDFRONT_ORIGIN_REQUEST_OVERHEAD = 700
# Lambda's START, END and REPORT lines for one invocation, in JSON, when the system log level
# lets them through (INFO or DEBUG).
PLATFORM_LOG_BYTES = 620
SCENARIOS = (
    ("one code shared widely (1,000 clicks on it per batch: the viral case)", 1, 1000),
    ("a code being shared (10 clicks on it per batch)", 100, 10),
    ("the long tail (each click alone on its code in its batch)", 1000, 1),
)


@dataclass(frozen=True)
class Settings:
    """What the template sets that the price depends on."""

    memory_mb: int
    architecture: str
    system_log_level: str
    application_log_level: str
    click_origin: str  # "function URL" or "HTTP API"
    batch_size: int
    batching_window: int
    forwarded_headers: tuple[str, ...]
    policy_headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Rollup:
    label: str
    wcu_per_click: float
    rru_per_click: float
    batches_per_click: float


@dataclass(frozen=True)
class Measured:
    calls: tuple[str, ...]  # DynamoDB calls of one counted click
    wcu: float
    answer_bytes: int  # the function's 302 as sent: status line, headers, body
    log_bytes: int  # what the function wrote for it, at its application log level
    rollups: tuple[Rollup, ...]
    visit_bytes: int  # a visit item as DynamoDB stores it (kept: clicks are counted from visits)
    stats_calls: tuple[str, ...]  # DynamoDB calls of a referrer's stats view
    stats_rru: float


def settings(template: dict[str, Any]) -> Settings:
    function = template["Resources"]["RecordClickFunction"]["Properties"]
    shared = template["Globals"]["Function"]
    logging_config = function.get("LoggingConfig", shared.get("LoggingConfig", {}))
    behaviours = cfn.function_url_behaviours(template)
    click = next((b for b in behaviours if b.function == "RecordClickFunction"), None)
    mapping = cfn.stream_mapping(template, "Table")
    return Settings(
        memory_mb=int(function.get("MemorySize", shared["MemorySize"])),
        architecture=(function.get("Architectures") or shared["Architectures"])[0],
        system_log_level=logging_config.get("SystemLogLevel", "INFO"),
        application_log_level=logging_config.get("ApplicationLogLevel", "INFO"),
        click_origin="function URL" if click else "HTTP API",
        batch_size=int(mapping["BatchSize"]),
        batching_window=int(mapping.get("MaximumBatchingWindowInSeconds", 0)),
        forwarded_headers=tuple(sorted(click.headers)) if click else (),
        policy_headers=_policy_headers(template),
    )


def _policy_headers(template: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The security headers the API's response headers policy adds to every answer on /r/*."""
    config = template["Resources"]["ApiHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    return (
        ("Content-Security-Policy", security["ContentSecurityPolicy"]["ContentSecurityPolicy"]),
        ("Strict-Transport-Security", f"max-age={hsts['AccessControlMaxAgeSec']}"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", security["FrameOptions"]["FrameOption"]),
    )


def measure(template_settings: Settings) -> Measured:
    """One counted click and the rollup's batches, through the real handlers on moto."""
    from moto import mock_aws

    from passaparola_localstack import moto_speedups

    moto_speedups.install()

    saved = dict(os.environ)
    try:
        os.environ.update(
            {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
        )
        os.environ.pop("AWS_ENDPOINT_URL", None)
        os.environ["AWS_LAMBDA_LOG_LEVEL"] = template_settings.application_log_level
        with tempfile.TemporaryDirectory() as folder, mock_aws():
            return _Bench(Path(folder), template_settings).run()
    finally:
        os.environ.clear()
        os.environ.update(saved)


class _Bench:
    def __init__(self, folder: Path, template_settings: Settings) -> None:
        from passaparola import wiring
        from passaparola.storage import aws, secret_store
        from passaparola_build.rules import build_rules
        from passaparola_localstack.gateway import Gateway
        from passaparola_localstack.provision import provision
        from passaparola_localstack.runtime import LocalContext, load_handler
        from passaparola_localstack.streams import StreamMapping

        aws.reset()
        secret_store.forget()
        rules = folder / "rules.json"
        build_rules(paths.CONTENT, rules)
        site = "https://refer.example"
        # A fixed salt: the same visitors, variants and sketches, so the same figures each run.
        salt = base64.b64encode(b"cost model salt" * 3).decode()
        self.stack = provision(
            {"SiteUrl": site, "ApiUrl": site, "MailFrom": "a@b.test"},
            secret_values={"VisitorSaltSecret": salt},
        )
        os.environ.update(
            self.stack.union_environment() | {"RULES_PATH": str(rules), "POWERTOOLS_METRICS_DISABLED": "true"}
        )
        wiring.reset()
        aws.client("ses").verify_email_identity(EmailAddress="a@b.test")
        self.settings = template_settings
        self.context = LocalContext("cost")
        self.gateway = Gateway(self.stack)
        self.click = load_handler(cfn.handler_of(self.stack.template, "RecordClickFunction"))
        roll_up = load_handler(cfn.handler_of(self.stack.template, "RollUpCountersFunction"))
        self.stream = StreamMapping(self.stack, lambda _, event: roll_up(event, self.context))
        self.table = self.stack.ref("Table")
        self.visitors = 0

    def run(self) -> Measured:
        code = self._codes(1)[0]
        self._click(code)  # a cold start reads the salt; the click measured is a warm one
        writes = Writes()
        with _captured_logs() as logs, recording(self.table, writes, lambda: 0):
            answer = self._click(code)
        visit_bytes = self._visit_bytes()
        stats = Writes()
        with recording(self.table, stats, lambda: 0):
            self._stats_view(code)
        rollups = tuple(self._rollup(label, codes, per_code) for label, codes, per_code in SCENARIOS)
        return Measured(
            calls=_calls(writes),
            wcu=writes.total,
            answer_bytes=_http_bytes(answer),
            log_bytes=len(logs.getvalue().encode()),
            rollups=rollups,
            visit_bytes=visit_bytes,
            stats_calls=_calls(stats),
            stats_rru=stats.read_units,
        )

    def _visit_bytes(self) -> int:
        from passaparola.storage import aws

        items = aws.client("dynamodb").scan(TableName=self.table)["Items"]
        # Its TTL at its widest (a number's size depends on its significant digits, so on the
        # second it was written): the same figure each run.
        widest = {"expires_at": {"N": "9999999999"}}
        visits = [item | widest for item in items if item["pk"]["S"].startswith("VISIT#")]
        return max(item_bytes(item) for item in visits) + DYNAMODB_ITEM_OVERHEAD

    def _stats_view(self, code: str) -> None:
        """What GET /referrers/me reads, through the service its handler calls."""
        from passaparola import wiring

        wiring.stats().for_token(wiring.tokens().issue(code, datetime.now(UTC)), None)

    def _codes(self, count: int) -> list[str]:
        """`count` referrers of the sample campaign, written as enrolment writes them."""
        from passaparola import wiring
        from passaparola.domain import codes as referral_codes
        from passaparola.domain.records import Referrer
        from passaparola.storage.referrers import ReferrerStore

        store, now = ReferrerStore(wiring.table()), datetime.now(UTC)

        def referrer(n: int) -> Referrer:
            return Referrer(referral_codes.new_code("SPRING"), "spring", f"r{n}@x.test", f"k{n}", "en", now)

        made = [store.enrol(partial(referrer, n))[0].code for n in range(count)]
        self.stream.drain()
        return made

    def _click(self, code: str) -> dict[str, Any]:
        from passaparola_localstack.events import function_url_event

        self.visitors += 1
        n = self.visitors
        viewer = {
            "user-agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
            "accept-language": "en-GB,en;q=0.9",
            "cloudfront-viewer-address": f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}:443",
        }
        answer: dict[str, Any] = self.click(
            function_url_event("GET", f"/r/{code}", headers=viewer), self.context
        )
        if answer["statusCode"] != 302:
            raise AssertionError(f"a click answered {answer}")
        return answer

    def _rollup(self, label: str, codes: int, per_code: int) -> Rollup:
        """A full batch of clicks, `per_code` on each of `codes` codes that had clicks before
        (so each already has a rank in the top index), rolled up as the mapping hands it over."""
        made = self._codes(codes)
        for code in made:
            self._click(code)
        self.stream.drain()
        for code in made:
            for _ in range(per_code):
                self._click(code)
        writes = Writes()
        with recording(self.table, writes, lambda: 0):
            batches = self.stream.drain()
        clicks = codes * per_code
        return Rollup(label, writes.total / clicks, writes.read_units / clicks, batches / clicks)


@contextlib.contextmanager
def _captured_logs() -> Iterator[io.StringIO]:
    """What a function prints or logs, as Lambda would send it to CloudWatch Logs."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            yield buffer
    finally:
        root.removeHandler(handler)


def _calls(writes: Writes) -> tuple[str, ...]:
    return tuple(name for name, n in sorted(writes.calls.items()) for _ in range(n))


def _http_bytes(answer: dict[str, Any]) -> int:
    lines = [f"HTTP/1.1 {answer['statusCode']} Found"]
    lines += [f"{name}: {value}" for name, value in (answer.get("headers") or {}).items()]
    return len(("\r\n".join(lines) + "\r\n\r\n").encode()) + len((answer.get("body") or "").encode())


@dataclass(frozen=True)
class Line:
    item: str
    per_click: str
    per_million: float


def model(
    template_settings: Settings, measured: Measured
) -> tuple[list[Line], list[tuple[str, float, float]]]:
    """The click path's lines, and for each rollup scenario (label, its cost, the total)."""
    s = template_settings
    out_bytes = (
        measured.answer_bytes
        + sum(len(f"{k}: {v}\r\n") for k, v in s.policy_headers)
        + len(CLOUDFRONT_OWN_HEADERS)
    )
    origin_bytes = CLOUDFRONT_ORIGIN_REQUEST_OVERHEAD + sum(len(h) + 40 for h in s.forwarded_headers)
    gb_second = s.memory_mb / 1024 * WARM_CLICK_MS / 1000
    cold = s.memory_mb / 1024 * COLD_START_SECONDS / COLD_START_EVERY
    per_gb_s = LAMBDA_PER_GB_SECOND[s.architecture]
    platform = PLATFORM_LOG_BYTES if s.system_log_level in ("INFO", "DEBUG") else 0
    log_bytes = measured.log_bytes + platform
    million = 1_000_000
    api = s.click_origin == "HTTP API"
    lines = [
        Line(
            "CloudFront HTTPS request ($0.0100 per 10,000)",
            "1 request",
            CLOUDFRONT_HTTPS_PER_REQUEST * million,
        ),
        Line(
            "CloudFront data out ($0.085/GB): the 302, CloudFront's and the policy's headers",
            f"{out_bytes:,} bytes",
            out_bytes / 1e9 * CLOUDFRONT_OUT_PER_GB * million,
        ),
        Line(
            "CloudFront to the origin ($0.020/GB): the signed request, forwarded headers",
            f"{origin_bytes:,} bytes",
            origin_bytes / 1e9 * CLOUDFRONT_TO_ORIGIN_PER_GB * million,
        ),
        Line(
            "HTTP API ($1.00 per million)" if api else "Lambda function URL (no charge of its own)",
            "1 request",
            (HTTP_API_PER_REQUEST if api else 0.0) * million,
        ),
        Line("Lambda requests ($0.20 per million)", "1", LAMBDA_PER_REQUEST * million),
        Line(
            f"Lambda duration, {s.architecture} (${per_gb_s:.10f} per GB-s), "
            f"{s.memory_mb} MB x {WARM_CLICK_MS} ms assumed",
            f"{gb_second:.4f} GB-s",
            gb_second * per_gb_s * million,
        ),
        Line(
            f"Lambda cold starts, init billed, assumed 1 in {COLD_START_EVERY} x {COLD_START_SECONDS:g} s x "
            f"{s.memory_mb} MB",
            f"{cold:.4f} GB-s",
            cold * per_gb_s * million,
        ),
        Line(
            f"DynamoDB on demand ($0.625 per million WRU): {' + '.join(measured.calls)}, no read",
            f"{measured.wcu:g} WRU",
            measured.wcu * DYNAMODB_PER_WRITE_UNIT * million,
        ),
        Line(
            f"CloudWatch Logs ($0.50/GB): JSON, system level {s.system_log_level}, application "
            f"{s.application_log_level}",
            f"{log_bytes} bytes",
            log_bytes / 1e9 * LOGS_PER_GB * million,
        ),
    ]
    path = sum(line.per_million for line in lines)
    rollup_invocation = LAMBDA_PER_REQUEST + s.memory_mb / 1024 * ROLLUP_BATCH_MS / 1000 * per_gb_s
    scenarios = []
    for rollup in measured.rollups:
        cost = (
            rollup.wcu_per_click * DYNAMODB_PER_WRITE_UNIT
            + rollup.rru_per_click * DYNAMODB_PER_READ_UNIT
            + rollup.batches_per_click * rollup_invocation
        ) * million
        scenarios.append((rollup.label, cost, path + cost))
    return lines, scenarios


def table(template_settings: Settings | None = None, measured: Measured | None = None) -> str:
    """The model as a Markdown table (the README's "What it costs" is this output)."""
    s = template_settings or settings(cfn.load())
    m = measured or measure(s)
    lines, scenarios = model(s, m)
    path = sum(line.per_million for line in lines)
    rows = [
        "| item | per click | per million clicks |",
        "|---|---|---|",
        *(f"| {line.item} | {line.per_click} | ${line.per_million:.2f} |" for line in lines),
        f"| **The click path** | | **${path:.2f}** |",
    ]
    for (label, cost, total), rollup in zip(scenarios, m.rollups, strict=True):
        units = f"{rollup.wcu_per_click:.3f} WRU, {rollup.rru_per_click:.3f} RRU"
        rows.append(f"| Counters' rollup, {label} | {units} | +${cost:.2f}, total **${total:.2f}** |")
    kept, view = storage_and_reads(m)
    calls = ", ".join(f"{m.stats_calls.count(c)} {c}" for c in sorted(set(m.stats_calls)))
    rows += [
        "| | | |",
        "| **Not per click** | | |",
        f"| Visits kept ($0.25/GB-month, point-in-time recovery $0.20/GB-month): a code's clicks are "
        f"counted from them | {m.visit_bytes} bytes | ${kept:.2f} a month per million clicks kept |",
        f"| A referrer's stats view ($0.125 per million RRU): {calls}, eventually consistent | "
        f"{m.stats_rru:g} RRU | ${view:.2f} per million views |",
    ]
    return "\n".join(rows)


def storage_and_reads(measured: Measured) -> tuple[float, float]:
    """What a million kept visits cost a month, and what a million stats views cost."""
    per_gb = DYNAMODB_STORAGE_PER_GB_MONTH + DYNAMODB_PITR_PER_GB_MONTH
    return (
        measured.visit_bytes / 1e9 * per_gb * 1_000_000,
        measured.stats_rru * DYNAMODB_PER_READ_UNIT * 1_000_000,
    )


def describe(template_settings: Settings) -> str:
    s = template_settings
    return (
        f"From infra/template.yaml: /r/* reaches the click function's {s.click_origin}; {s.memory_mb} MB "
        f"{s.architecture}; logs JSON, system level {s.system_log_level}, application level "
        f"{s.application_log_level}; the rollup takes batches of up to {s.batch_size:,} records or "
        f"{s.batching_window} s.\nPrices: {PRICES_AS_OF}."
    )


def main() -> int:
    s = settings(cfn.load())
    print(describe(s))
    print(table(s))
    return 0
