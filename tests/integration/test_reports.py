"""GET /campaigns/{slug}/report from counter items seeded in the shape PLAN.md's "Counters"
gives them, and the proof that a report reads the same items whatever they count."""

import csv
import io
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest

from passaparola import wiring
from passaparola.domain import sketch
from passaparola.storage import aws
from passaparola.storage.counters import CounterStore
from passaparola.storage.dynamo import Table, to_dynamo
from passaparola.storage.referrers import ReferrerStore

pytestmark = pytest.mark.integration

START = date(2026, 3, 1)


def _visitors(prefix, n):
    found = sketch.empty()
    for i in range(n):
        found = sketch.add(found, f"{prefix}-{i}")
    return sketch.to_bytes(found)


def _seed_day(stack, campaign, day, **counters):
    item = {"pk": f"STATS#{campaign}", "sk": f"DAY#{day.isoformat()}"} | counters
    aws.client("dynamodb").put_item(TableName=stack.ref("Table"), Item=to_dynamo(item))


def _seed_code(stack, campaign, code, name, clicks, claims, orders):
    """A code as the counters leave it, with `clicks` folded in by an earlier read."""
    item = {
        "pk": f"CODE#{code}",
        "sk": "CODE",
        "code": code,
        "campaign": campaign,
        "display_name": name,
        "top_pk": campaign,
        "clicks": clicks,
        "clicks_through": "2026-02-01",
        "claims": claims,
        "orders": orders,
        "rank": orders * 10**9 + claims,
    }
    aws.client("dynamodb").put_item(TableName=stack.ref("Table"), Item=to_dynamo(item))


@contextmanager
def _reads():
    """DynamoDB calls made, and items each returned."""
    seen: list[tuple[str, int]] = []

    def record(http_response, parsed, model, **_):
        seen.append((model.name, int(parsed.get("Count", len(parsed.get("Responses", {}))))))

    events = aws.client("dynamodb").meta.events
    events.register("after-call.dynamodb", record)
    try:
        yield seen
    finally:
        events.unregister("after-call.dynamodb", record)


def _seed_month(stack, campaign, clicks_per_day, orders_per_day):
    for offset in range(30):
        day = START + timedelta(days=offset)
        _seed_day(
            stack,
            campaign,
            day,
            clicks=clicks_per_day,
            claims=orders_per_day * 2,
            orders=orders_per_day,
            qualified=orders_per_day,
            revenue_EUR=Decimal("49.90") * orders_per_day,
            v_a_clicks=clicks_per_day // 2,
            v_b_clicks=clicks_per_day - clicks_per_day // 2,
            v_a_orders=orders_per_day // 2,
            v_b_orders=orders_per_day - orders_per_day // 2,
            ttc_4=orders_per_day,
            rw_held_n=orders_per_day,
            rw_held_EUR=Decimal(10) * orders_per_day,
            visitors_hll=_visitors(f"{campaign}-{offset}", clicks_per_day),
        )


def test_a_report_reads_the_same_items_for_100000_clicks_as_for_10(stack):
    """30 day items and the top codes: 100,000 clicks and 2,000 orders in one campaign, 10
    clicks in the other, over the same range. Items read and calls made are the same."""
    _seed_month(stack, "gift", clicks_per_day=3334, orders_per_day=67)  # 100,020 clicks, 2,010 orders
    _seed_month(stack, "trial", clicks_per_day=1, orders_per_day=0)
    for campaign in ("gift", "trial"):
        for n in range(25):
            _seed_code(stack, campaign, f"C{campaign}{n}", f"Referrer {n}", n * 100, n, n // 3)
    counters = CounterStore(Table(stack.ref("Table")))
    measured = {}
    for campaign in ("gift", "trial"):
        with _reads() as reads:
            days = counters.days(campaign, START, START + timedelta(days=29))
            top = counters.top_referrers(campaign, 10)
        measured[campaign] = reads
        assert len(days) == 30
        assert len(top) == 10
    assert sum(d for _, d in measured["gift"]) == sum(d for _, d in measured["trial"]) == 40
    assert (
        [name for name, _ in measured["gift"]]
        == [name for name, _ in measured["trial"]]
        == ["Query", "Query"]
    )
    big = sum(d.clicks for d in counters.days("gift", START, START + timedelta(days=29)))
    assert big == 100_020
    print(f"\nreport reads: {measured['gift']} for 100,020 clicks; {measured['trial']} for 30 clicks")


def test_the_top_referrers_clicks_are_their_folded_clicks_and_visits_read_in_a_few_small_calls(client, stack):
    """One BatchGetItem of the listed codes and one keys-only query of each of their eight
    shards: the days and the top index are two queries, whatever the clicks."""
    for n in range(3):
        _seed_code(stack, "gift", f"GIFT-BCDFGHJK{'MNP'[n]}", f"Referrer {n}", 1000 * n, 10 + n, n)
    for visitor in range(5):
        client.call("GET", "/r/GIFT-BCDFGHJKP", source_ip=f"198.51.100.{visitor}")
    with _reads() as reads:
        report = wiring.reports().report("gift", None, None)
    assert [(t.code, t.clicks, t.claims) for t in report.top_referrers] == [
        ("GIFT-BCDFGHJKP", 2005, 12),
        ("GIFT-BCDFGHJKN", 1000, 11),
        ("GIFT-BCDFGHJKM", 0, 10),
    ]
    calls = sorted(name for name, _ in reads)
    assert calls == ["BatchGetItem"] + ["Query"] * (2 + 3 * 8)


def test_the_report_answers_every_figure_from_the_counters(client, stack, clock):
    day = START + timedelta(days=1)
    _seed_day(
        stack,
        "gift",
        START,
        clicks=200,
        claims=20,
        orders=8,
        qualified=7,
        revenue_EUR=Decimal("399.20"),
        rejected_below_minimum=3,
        rejected_self_referral=1,
        review_shared_address=2,
        rw_held_n=5,
        rw_held_EUR=Decimal(50),
        rw_clawed_back_n=1,
        rw_clawed_back_EUR=Decimal(10),
        ttc_0=2,
        ttc_4=6,
        v_a_clicks=100,
        v_a_claims=8,
        v_a_orders=2,
        v_b_clicks=100,
        v_b_claims=12,
        v_b_orders=6,
        visitors_hll=_visitors("x", 150),
    )
    _seed_day(stack, "gift", day, clicks=10, claims=1, orders=0, visitors_hll=_visitors("x", 5))
    _seed_day(stack, "gift", START + timedelta(days=40), clicks=999)  # after the range
    _seed_code(stack, "gift", "GIFT-AAA", "=HYPERLINK(1)", 150, 15, 6)
    _seed_code(stack, "gift", "GIFT-BBB", "Bea", 60, 6, 2)
    answer = client.admin("GET", "/campaigns/gift/report", query="from=2026-03-01&to=2026-03-03")
    assert answer.status == 200, answer.body
    body = answer.body
    assert (body["campaign"], body["from"], body["to"]) == ("gift", "2026-03-01", "2026-03-03")
    assert body["funnel"] == {
        "clicks": 210,
        "visitors": 150,  # the second day's 5 visitors were among the first day's
        "claims": 21,
        "orders": 8,
        "qualified": 7,
        "revenue": {"EUR": "399.20"},
    }
    assert body["rates"] == {"claim_rate": pytest.approx(21 / 210), "order_rate": pytest.approx(8 / 210)}
    a, b = body["variants"]
    assert a == {
        "id": "a", "clicks": 100, "claims": 8, "orders": 2, "order_rate": 0.02,
        "lift": None, "p_value": None, "enough_data": False,
    }  # fmt: skip
    assert (b["id"], b["order_rate"], b["lift"]) == ("b", 0.06, pytest.approx(2.0))
    assert b["p_value"] == pytest.approx(0.1489, abs=1e-4)  # z = 0.04 / sqrt(0.04 * 0.96 * 2 / 100)
    assert b["enough_data"] is False  # a has only 2 orders
    assert body["daily"] == [
        {"date": "2026-03-01", "clicks": 200, "claims": 20, "orders": 8},
        {"date": "2026-03-02", "clicks": 10, "claims": 1, "orders": 0},
        {"date": "2026-03-03", "clicks": 0, "claims": 0, "orders": 0},
    ]
    # 2 orders under an hour, 6 between 4 and 8 hours: the median is the 2nd of those 6.
    assert body["time_to_convert"] == {
        "p50_hours": pytest.approx(4 + 4 * 2 / 6),
        "p90_hours": pytest.approx(4 + 4 * 5.2 / 6),
    }
    assert body["rejections"] == {"below_minimum": 3, "self_referral": 1}
    assert body["reviews"] == {"shared_address": 2}
    assert body["rewards"] == {
        "clawed_back": {"count": 1, "value": {"EUR": "10.00"}},
        "held": {"count": 5, "value": {"EUR": "50.00"}},
    }
    assert body["top_referrers"] == [
        {"display_name": "=HYPERLINK(1)", "code": "GIFT-AAA", "clicks": 150, "claims": 15, "orders": 6},
        {"display_name": "Bea", "code": "GIFT-BBB", "clicks": 60, "claims": 6, "orders": 2},
    ]
    assert "@" not in answer.headers.get("content-type", "") and "@" not in str(body)


def test_the_report_as_csv_is_one_long_table_that_parses(client, stack):
    _seed_day(stack, "gift", START, clicks=12, claims=3, orders=1, revenue_EUR=Decimal("20.5"), v_a_clicks=12)
    _seed_code(stack, "gift", "GIFT-AAA", "=HYPERLINK(1)", 12, 3, 1)
    for asked in (
        {"query": "from=2026-03-01&to=2026-03-02&format=csv"},
        {"query": "from=2026-03-01&to=2026-03-02", "headers": {"accept": "text/csv"}},
    ):
        answer = client.admin("GET", "/campaigns/gift/report", **asked)
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in answer.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(answer.body.decode())))
        assert {(r["section"], r["key"], r["metric"], r["value"]) for r in rows} >= {
            ("report", "gift", "from", "2026-03-01"),
            ("funnel", "", "clicks", "12"),
            ("funnel", "EUR", "revenue", "20.50"),
            ("variant", "a", "clicks", "12"),
            ("daily", "2026-03-02", "clicks", "0"),
            ("top_referrer", "GIFT-AAA", "display_name", "'=HYPERLINK(1)"),  # never a formula
        }


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-03-05&to=2026-03-01",
        "from=2026-01-01&to=2027-01-03",
        "from=yesterday",
        "to=2026-02-30",
        "format=xml",
    ],
)
def test_a_bad_range_is_a_422_in_json(client, query):
    answer = client.admin("GET", "/campaigns/gift/report", query=query)
    assert answer.status == 422
    assert set(answer.body) >= {"error", "message"}


def test_an_unknown_campaign_is_a_404(client):
    answer = client.admin("GET", "/campaigns/nope/report")
    assert (answer.status, answer.body["error"]) == (404, "not_found")


def test_the_default_range_is_the_last_30_days(client, clock):
    answer = client.admin("GET", "/campaigns/gift/report")
    assert answer.status == 200
    assert answer.body["to"] == clock.now.date().isoformat()
    assert len(answer.body["daily"]) == 30


def test_enrolment_puts_the_code_under_its_campaign_for_the_top_index(client, stack):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    found = ReferrerStore(Table(stack.ref("Table"))).table.get({"pk": f"CODE#{code}", "sk": "CODE"})
    assert found is not None and found["top_pk"] == "gift"
