"""`passaparola bench timing`: whether the time of an answer that must not tell says whether
an address is known (issue 19, item 3).

Each of `/admin/sign-in` and `/me/link` is asked for known and unknown addresses in turn,
through the local gateway and the real handlers on moto in this process: known ones are the
sample brand's admins (as many as the requests, added to its rules) and enrolled referrers;
unknown ones are made up. Every request has an address and a client of its own, so the
limits count each once, as they would a person's. Known and unknown alternate, which of the
two goes first alternating too, after a few requests of each to warm up. Target: the medians
within 10% of each other. Afterwards the link queue is handed to SendLinks, to show the known
addresses were sent their links and the unknown ones nothing.
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from passaparola.domain.campaign import ConsoleAdmin, Rules
from passaparola_localstack.gateway import Gateway
from passaparola_localstack.provision import Stack

TARGET = 0.10
WARM_UP = 5
ROUTES = (("/admin/sign-in", "sign-in"), ("/me/link", "data"))
CAMPAIGN = "spring"  # of the sample content, where the known referrers enrol


@dataclass(frozen=True)
class Row:
    path: str
    known: float  # seconds, medians
    unknown: float
    links_to_known: int
    links_to_unknown: int
    requests: int  # of each

    @property
    def ratio(self) -> float:
        return max(self.known, self.unknown) / min(self.known, self.unknown)

    @property
    def met(self) -> bool:
        return self.ratio - 1 <= TARGET


def _admin(n: int) -> str:
    return f"admin{n}@timing.test"


def _referrer(n: int) -> str:
    return f"referrer{n}@timing.test"


def _with_admins(count: int) -> Callable[[Rules], Rules]:
    def edit(rules: Rules) -> Rules:
        slug, brand = next(iter(rules.brands.items()))
        admins = brand.admins + tuple(ConsoleAdmin(email=_admin(n)) for n in range(count))
        return rules.model_copy(update={"brands": {slug: brand.model_copy(update={"admins": admins})}})

    return edit


def measure(requests: int = 50) -> list[Row]:
    from moto.core.models import DEFAULT_ACCOUNT_ID

    from passaparola_localstack import outbox
    from passaparola_tools import bench_stack

    total = requests + WARM_UP
    rows = []
    with bench_stack.provisioned("in-process", _with_admins(total)) as stack:
        gateway = Gateway(stack)
        clients = iter(range(1, 2**24))

        def post(path: str, body: dict[str, Any]) -> tuple[int, float]:
            n = next(clients)
            start = time.perf_counter()
            answer = gateway.http(
                "POST",
                path,
                headers={"content-type": "application/json"},
                body=json.dumps(body).encode(),
                source_ip=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
            )
            return answer.status, time.perf_counter() - start

        def mailed() -> list[str]:
            return [m["to"][0] for m in outbox.sent(DEFAULT_ACCOUNT_ID, "us-east-1")]

        with contextlib.redirect_stdout(io.StringIO()):  # the functions' metric lines (EMF)
            for n in range(total):
                assert post("/referrers", {"campaign": CAMPAIGN, "email": _referrer(n)})[0] == 201
            _drain(stack, gateway, "RewardQueue", "RewardWorkerFunction")  # their welcome emails
            for path, kind in ROUTES:
                known = [(_admin if kind == "sign-in" else _referrer)(n) for n in range(total)]
                before = len(mailed())
                times: dict[bool, list[float]] = {True: [], False: []}
                for n in range(total):
                    for is_known in (True, False) if n % 2 else (False, True):
                        address = known[n] if is_known else f"{kind}.stranger{n}@timing.test"
                        status, seconds = post(path, {"email": address})
                        assert status == 202, (path, status)
                        if n >= WARM_UP:
                            times[is_known].append(seconds)
                _drain(stack, gateway, "LinkQueue", "SendLinksFunction")
                links = mailed()[before:]
                to_known = sum(to in known for to in links)
                rows.append(
                    Row(
                        path,
                        statistics.median(times[True]),
                        statistics.median(times[False]),
                        to_known,
                        len(links) - to_known,
                        requests,
                    )
                )
    return rows


def _drain(stack: Stack, gateway: Gateway, queue: str, function: str) -> None:
    """Hand the queue to its worker as the event source mapping would, until it is empty."""
    from passaparola.storage import aws

    sqs, url, arn = aws.client("sqs"), stack.ref(queue), stack.arn(queue)
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        answer = gateway.deliver(function, messages, arn)
        assert answer == {"batchItemFailures": []}, answer
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)


def report(rows: list[Row]) -> list[str]:
    lines = [
        f"Answer time, known against unknown addresses: medians of {rows[0].requests} requests each, "
        f"interleaved, through the local gateway on moto in process (target: within {TARGET:.0%})"
    ]
    for row in rows:
        lines.append(
            f"  {row.path:16} known {row.known * 1000:6.2f} ms   unknown {row.unknown * 1000:6.2f} ms   "
            f"{row.ratio:5.3f}x   links sent: {row.links_to_known} of {row.requests + WARM_UP} known, "
            f"{row.links_to_unknown} unknown"
        )
    worst = max(rows, key=lambda row: row.ratio)
    verdict = "target met" if all(row.met for row in rows) else "TARGET MISSED"
    lines.append(f"Widest gap {(worst.ratio - 1):.1%} ({worst.path}): {verdict}")
    return lines
