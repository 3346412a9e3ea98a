"""A viral code, replayed: `rate` clicks a second on one referral code for `seconds` seconds.

The real click handler runs in this process against moto, one click at a time, under a
simulated clock that advances 1/rate of a second per click; its visitors are new people, and
now and then one who clicked before. The table's stream goes through the real rollup as the
event source mapping would hand it over (a batch of up to BatchSize records as soon as one is
full). Every write is recorded with its partition key, its second of simulated time and the
write capacity it consumes, computed the way DynamoDB bills it (moto reports none for
transactions): a standard write 1 WCU per KB or part of it, a transactional one 2, an item's
size the larger of before and after, a failed condition as much as a write, and a change of an
index's sort key two writes on the index's partition (delete, then put).

Checked: no partition key takes more than 1,000 WCU in any second (DynamoDB's per-partition
limit; a hotter key throttles), and the code's clicks, read as its stats page reads them (its
visits, over its eight shards), equal the number of distinct visitors, with the campaign day's
counter and HyperLogLog estimate beside them. Then the clock moves on until the replay's day
has settled, and the clicks are read again: that read folds them into the code's item (one
conditional UpdateItem), and the next one reads the fold and nothing else.

People who come back do so within RETURN_WITHIN of their first click. Besides moto_speedups
(which every use of moto here installs: among them, transactions that keep the items they name
rather than a copy of every table), one liberty with moto, for this replay only, to keep it
within memory: stream records the rollup has taken are dropped, with moto's own list of every
object it ever made. Every visit is kept: the count is read from them.
"""

from __future__ import annotations

import os
import random
import resource
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from passaparola_build import paths
from passaparola_tools.capacity import LIMIT_WCU, Writes, recording

CAMPAIGN = "spring"
RETURN_WITHIN = 60  # seconds
_BROWSER = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36"
)
# What the click path cost before this design: one two-item transaction per counted click,
# its ADD on the code's own item at 2 WCU (README, "What it costs", before).
OLD_WCU_PER_CLICK_ON_CODE = 2


@dataclass(frozen=True)
class Reading:
    """One read of the code's clicks, and what it took."""

    clicks: int
    calls: dict[str, int]
    read_units: float
    write_units: float
    wall_seconds: float


@dataclass(frozen=True)
class Figures:
    seconds: int
    rate: int
    clicks: int
    distinct: int
    counted: int  # the code's `clicks` counter at the end
    day_clicks: int
    visitors_estimate: int
    hottest: tuple[str, int, float]
    hottest_by_kind: dict[str, tuple[str, int, float]]
    wcu_by_kind: dict[str, float]
    total_wcu: float
    calls: dict[str, int]
    batches: int
    wall_seconds: float
    peak_memory_mb: float
    old_hottest_wcu: float  # the old design on this traffic: the code item's WCU in its busiest second
    old_countable: int  # what the old design could have counted under the 1,000 WCU limit
    read: Reading  # the code's clicks read on the replay's day
    settled: Reading  # read again once the day has settled: this read folds
    after_fold: Reading  # and once more, from the fold

    @property
    def count_error(self) -> float:
        return (self.counted - self.distinct) / self.distinct if self.distinct else 0.0

    @property
    def estimate_error(self) -> float:
        return (self.visitors_estimate - self.distinct) / self.distinct if self.distinct else 0.0

    @property
    def old_count_error(self) -> float:
        return (self.old_countable - self.distinct) / self.distinct if self.distinct else 0.0

    @property
    def exact(self) -> bool:
        """Every read of the code's clicks gave the number of distinct visitors."""
        readings = (self.counted, self.settled.clicks, self.after_fold.clicks, self.day_clicks)
        return all(n == self.distinct for n in readings)

    @property
    def within_limit(self) -> bool:
        return self.hottest[2] <= LIMIT_WCU


def replay(
    seconds: int,
    rate: int = 3000,
    *,
    returning: float = 0.15,
    progress: Callable[[str], None] | None = None,
    seed: int = 9,
) -> Figures:
    """Replay the viral code; `returning` is the share of clicks from someone who clicked
    before (a person is counted once a day, however often they click)."""
    from moto import mock_aws

    from passaparola_localstack import moto_speedups

    moto_speedups.install()

    started = time.monotonic()
    say = progress or (lambda _: None)
    saved = dict(os.environ)
    try:
        os.environ.update(
            {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
        )
        os.environ.pop("AWS_ENDPOINT_URL", None)
        with tempfile.TemporaryDirectory() as folder, mock_aws():
            return _replay(Path(folder), seconds, rate, returning, seed, say, started)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _replay(
    folder: Path,
    seconds: int,
    rate: int,
    returning: float,
    seed: int,
    say: Callable[[str], None],
    started: float,
) -> Figures:
    from passaparola import wiring

    stage = _Stage(folder)
    composition: Any = wiring  # its clock, set to the replay's (as the tests' clock fixture does)
    real_now = composition.utc_now
    composition.utc_now = stage.clock
    try:
        wiring.reset()
        stage.enrol()
        traffic = _Traffic(stage, rate, returning, random.Random(seed))  # noqa: S311 - not secrets
        with recording(stage.table, traffic.writes, lambda: stage.clock.second):
            for second in range(seconds):
                traffic.second(second)
                if (second + 1) % 10 == 0 or second + 1 == seconds:
                    elapsed = time.monotonic() - started
                    to_go = elapsed * seconds / (second + 1) - elapsed
                    say(
                        f"  {second + 1:4d}/{seconds} s simulated, {(second + 1) * rate:,} clicks, "
                        f"{traffic.people:,} people; {elapsed:,.0f} s so far, about {to_go:,.0f} s to go, "
                        f"{_memory_mb():,.0f} MB"
                    )
            stage.clock.second = seconds  # the batching window hands the rest over after the last click
            traffic.batches += stage.stream.drain()
        traffic.writes.fold()
        read = stage.read_clicks()
        stage.clock.now = stage.clock.start + timedelta(days=4)  # the day has closed and settled
        settled, after_fold = stage.read_clicks(), stage.read_clicks()
        return traffic.figures(seconds, time.monotonic() - started, (read, settled, after_fold))
    finally:
        composition.utc_now = real_now
        wiring.reset()


class _Stage:
    """The template's stack on moto, the real handlers, and a clock the replay moves."""

    def __init__(self, folder: Path) -> None:
        from passaparola import wiring
        from passaparola.storage import aws, secret_store
        from passaparola_build.rules import build_rules
        from passaparola_localstack import template as cfn
        from passaparola_localstack.provision import provision
        from passaparola_localstack.runtime import LocalContext, load_handler
        from passaparola_localstack.streams import StreamMapping

        aws.reset()
        secret_store.forget()
        rules = folder / "rules.json"
        build_rules(paths.CONTENT, rules)
        site = "https://refer.example"
        self.stack = provision({"SiteUrl": site, "ApiUrl": site, "MailFrom": "a@b.test"})
        environment = {"RULES_PATH": str(rules), "POWERTOOLS_METRICS_DISABLED": "true"}
        os.environ.update(self.stack.union_environment() | environment)
        wiring.reset()
        aws.client("ses").verify_email_identity(EmailAddress="a@b.test")
        self.clock = _Clock(datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0))
        self.context = LocalContext("replay")
        self.click = load_handler(cfn.handler_of(self.stack.template, "RecordClickFunction"))
        roll_up = load_handler(cfn.handler_of(self.stack.template, "RollUpCountersFunction"))
        self.stream = StreamMapping(self.stack, lambda _, event: roll_up(event, self.context))
        self.table = self.stack.ref("Table")
        self.code = ""

    def read_clicks(self) -> Reading:
        """The code's clicks as its stats page reads them (services.click_counts), and what
        that read cost."""
        from passaparola import wiring
        from passaparola.storage.referrers import ReferrerStore

        writes = Writes()
        started = time.monotonic()
        with recording(self.table, writes, lambda: 0):
            referrer = ReferrerStore(wiring.table()).get(self.code)
            if referrer is None:
                raise AssertionError("the viral code vanished")
            clicks = wiring.click_counter().clicks(self.code, referrer.folded_clicks)
        elapsed = time.monotonic() - started
        return Reading(clicks, dict(writes.calls), writes.read_units, writes.total, elapsed)

    def enrol(self) -> None:
        from passaparola_localstack.gateway import Gateway

        body = f'{{"campaign": "{CAMPAIGN}", "email": "influencer@example.com", "name": "Ivy"}}'
        answer = Gateway(self.stack).http(
            "POST", "/referrers", headers={"content-type": "application/json"}, body=body.encode()
        )
        self.code = answer.body.decode().split('"code":"')[1].split('"')[0]
        self.stream.drain()  # the enrolment's own records

    def drain(self) -> int:
        handed = self.stream.drain()
        _forget_taken(self.stack, self.stream)
        return handed


class _Traffic:
    """Clicks on the stage's code, second by second; new people, and some who come back."""

    def __init__(self, stage: _Stage, rate: int, returning: float, pick: random.Random) -> None:
        self.stage = stage
        self.rate = rate
        self.returning = returning
        self.pick = pick
        self.writes = Writes()
        self.people = 0
        self.new_per_second: list[int] = []
        self.batches = 0

    def second(self, second: int) -> None:
        from passaparola_localstack.events import function_url_event

        stage, clock = self.stage, self.stage.clock
        clock.second, new = second, 0
        for n in range(self.rate):
            clock.now = clock.start + timedelta(seconds=second + n / self.rate)
            if self.people and self.pick.random() < self.returning:
                person = self.pick.randrange(max(0, self.people - self.rate * RETURN_WITHIN), self.people)
            else:
                person, self.people, new = self.people, self.people + 1, new + 1
            viewer = {"user-agent": _BROWSER, "cloudfront-viewer-address": f"{_address(person)}:443"}
            answer = stage.click(function_url_event("GET", f"/r/{stage.code}", headers=viewer), stage.context)
            if answer["statusCode"] != 302:
                raise AssertionError(f"a click answered {answer['statusCode']}: {answer.get('body')}")
            if (n + 1) % stage.stream.batch_size == 0:  # a full batch: the mapping hands it over at once
                self.batches += stage.drain()
        self.new_per_second.append(new)
        self.batches += stage.drain()

    def figures(self, seconds: int, wall: float, reads: tuple[Reading, Reading, Reading]) -> Figures:
        from passaparola import wiring
        from passaparola.domain import sketch

        day_key = {"pk": f"STATS#{CAMPAIGN}", "sk": f"DAY#{self.stage.clock.start.date().isoformat()}"}
        day = wiring.table().get(day_key) or {}
        visitors = sketch.from_bytes(bytes(day["visitors_hll"])) if "visitors_hll" in day else sketch.empty()
        most = LIMIT_WCU // OLD_WCU_PER_CLICK_ON_CODE
        return Figures(
            seconds=seconds,
            rate=self.rate,
            clicks=seconds * self.rate,
            distinct=self.people,
            counted=reads[0].clicks,
            day_clicks=int(day.get("clicks", 0)),
            visitors_estimate=round(sketch.estimate(visitors)),
            hottest=self.writes.hottest,
            hottest_by_kind=dict(self.writes.hottest_by_kind),
            wcu_by_kind=dict(self.writes.by_kind),
            total_wcu=self.writes.total,
            calls=dict(self.writes.calls),
            batches=self.batches,
            wall_seconds=wall,
            peak_memory_mb=_memory_mb(),
            old_hottest_wcu=max(self.new_per_second, default=0) * OLD_WCU_PER_CLICK_ON_CODE,
            old_countable=sum(min(new, most) for new in self.new_per_second),
            read=reads[0],
            settled=reads[1],
            after_fold=reads[2],
        )


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.start = self.now = start
        self.second = 0

    def __call__(self) -> datetime:
        return self.now


def _address(person: int) -> str:
    return f"10.{person >> 16 & 255}.{person >> 8 & 255}.{person & 255}"


# --- two liberties with moto, for the replay's sake ---------------------------------------


def _forget_taken(stack: Any, stream: Any) -> None:
    """Drop what moto keeps after the rollup has taken it: the stream records, the iterators
    that read them, and moto's own list of every item and record it ever made (which it keeps
    for its reset; an item overwritten or dropped would otherwise never be freed)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord
    from moto.dynamodbstreams.models import ShardIterator, dynamodbstreams_backends

    shard: Any = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(stack.ref("Table")).stream_shard
    taken = stream.taken().get(shard.id)
    if taken is None:
        return
    upto = int(taken) - shard.starting_sequence_number + 1
    for index in range(getattr(shard, "_forgotten", 0), upto):
        shard.items[index] = None
    shard._forgotten = upto
    dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators.clear()
    tracked: Any
    for tracked in (Item, StreamRecord, ShardIterator):
        tracked.instances_tracked.clear()


def _memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(figures: Figures) -> list[str]:
    """The replay's figures, as `passaparola bench viral` prints them."""
    key, second, wcu = figures.hottest
    per_click = figures.distinct or 1
    calls = ", ".join(f"{n:,} {name}" for name, n in sorted(figures.calls.items()))
    lines = [
        f"Viral code: {figures.rate:,} clicks/s for {figures.seconds} s simulated "
        f"({figures.clicks:,} clicks from {figures.distinct:,} people), "
        f"{figures.wall_seconds:,.0f} s wall, peak {figures.peak_memory_mb:,.0f} MB",
        f"  DynamoDB calls: {calls}; {figures.batches:,} rollup batches",
        f"  WCU: {figures.total_wcu:,.0f} in all, {figures.total_wcu / per_click:.3f} per counted click; "
        "by item:",
    ]
    for kind, total in sorted(figures.wcu_by_kind.items()):
        _, hot_second, hot_wcu = figures.hottest_by_kind[kind]
        lines.append(
            f"    {kind:10} {total:12,.0f} WCU ({total / per_click:.4f} per counted click); "
            f"most on one key in one second {hot_wcu:,.0f} (second {hot_second})"
        )
    old = f"{figures.old_hottest_wcu:,.0f} WCU on the code's item in its busiest second"
    lines += [
        f"  Most WCU on one key in one second: {wcu:,.0f} ({key}, second {second}); "
        f"the limit is {LIMIT_WCU:,}",
        f"  Clicks counted on the code {figures.counted:,}, on the campaign day {figures.day_clicks:,}; "
        f"distinct visitors {figures.distinct:,}: count error {figures.count_error:+.2%}",
        f"  Visitors by the day's HyperLogLog: {figures.visitors_estimate:,} ({figures.estimate_error:+.2%})",
        *(
            f"  The code's clicks read {when}: {reading.clicks:,}; "
            f"{', '.join(f'{n:,} {name}' for name, n in sorted(reading.calls.items()))}, "
            f"{reading.read_units:,.1f} RRU, {reading.write_units:g} WCU, "
            f"{reading.wall_seconds:.2f} s on moto"
            for when, reading in (
                ("the same day", figures.read),
                ("four days later (it folds)", figures.settled),
                ("after the fold", figures.after_fold),
            )
        ),
        f"  The old design on this traffic (2 WCU on the code's item per counted click): {old}; at most "
        f"{figures.old_countable:,} clicks countable under the limit, "
        f"count error {figures.old_count_error:+.2%}",
        f"{'Within' if figures.within_limit else 'OVER'} the per-key limit; "
        f"{'exact' if figures.exact else 'COUNT WRONG'}",
    ]
    return lines
