"""The counters, rolled up from the table's stream on moto: what the reports and the stats page
read, counted exactly once, from a stream read as the event source mapping reads it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from passaparola.domain import sketch
from passaparola.storage import aws
from passaparola_localstack.events import stream_event
from tests.support import dynamodb_calls, items_under

pytestmark = pytest.mark.integration


def code_item(client, code):
    (item,) = items_under(client.stack, f"CODE#{code}", "CODE")
    return item


def today(client, campaign):
    day = datetime.now(UTC).date().isoformat()
    (item,) = items_under(client.stack, f"STATS#{campaign}", f"DAY#{day}")
    return item


def stream_records(client):
    streams = client.stream._streams()
    arn = client.stack.resolve.attributes["Table.StreamArn"]
    (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )
    return streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"], arn


def test_a_referral_from_click_to_order_is_counted_on_the_code_and_the_campaign_day(client):
    code = client.enrol("anna@example.com", campaign="instant").body["code"]
    for visitor in ("198.51.100.1", "198.51.100.2", "198.51.100.1"):
        client.call("GET", f"/r/{code}", source_ip=visitor)
    client.claim(code, "marco@example.com")
    client.convert("1", "marco@example.com", "49.90")
    client.run_worker()
    client.run_rollup()
    item = code_item(client, code)
    assert (item["claims"], item["orders"], item["revenue_EUR"]) == (1, 1, Decimal("49.90"))
    assert "clicks" not in item  # counted on read, from the visits
    assert item["rank"] == 1 * 10**9 + 1
    day = today(client, "instant")
    assert (day["referrers"], day["clicks"], day["claims"], day["orders"], day["qualified"]) == (
        1,
        2,
        1,
        1,
        1,
    )
    assert day["revenue_EUR"] == Decimal("49.90")
    assert day["ttc_0"] == 1  # ordered within the hour of claiming
    # Both rewards issued: the friend's 12 EUR coupon and the referrer's free month (no value).
    assert (day["rw_issued_n"], day["rw_issued_EUR"]) == (2, 12)
    assert "rw_pending_n" not in day or day["rw_pending_n"] == 0
    assert round(sketch.estimate(sketch.from_bytes(bytes(day["visitors_hll"])))) == 2


def test_top_referrers_are_one_query_on_the_top_index_by_orders_then_claims(client):
    codes = [client.enrol(f"r{n}@example.com", campaign="gift").body["code"] for n in range(4)]
    for n, code in enumerate(codes[:3]):
        for friend in range(n + 1):
            client.claim(code, f"friend{n}-{friend}@example.com", source_ip=f"203.0.113.{10 * n + friend}")
    for visitor in range(10):  # clicks alone move no code in the index
        client.call("GET", f"/r/{codes[3]}", source_ip=f"198.51.100.{visitor}")
    client.run_rollup()
    found = aws.client("dynamodb").query(
        TableName=client.stack.ref("Table"),
        IndexName="top",
        KeyConditionExpression="top_pk = :campaign",
        ExpressionAttributeValues={":campaign": {"S": "gift"}},
        ScanIndexForward=False,
        Limit=2,
    )["Items"]
    assert [(i["code"]["S"], i["claims"]["N"]) for i in found] == [(codes[2], "3"), (codes[1], "2")]
    assert all("clicks" not in i for i in found)


def test_a_batch_handed_over_again_adds_nothing_twice(client):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    for visitor in range(5):
        client.call("GET", f"/r/{code}", source_ip=f"198.51.100.{visitor}")
    records, arn = stream_records(client)
    event = stream_event(records, arn)
    for _ in range(3):  # a timeout after the write, say: Lambda hands the same batch over again
        client.gateway.invoke("RollUpCountersFunction", event)
    assert today(client, "gift")["clicks"] == 5


def test_the_rollups_own_writes_never_come_back_to_it(client):
    """The filter criteria admit only what is counted: the counters' and checkpoints' writes
    pass the stream by, so a drained stream stays drained."""
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.call("GET", f"/r/{code}")
    assert client.run_rollup() == 1
    with dynamodb_calls() as calls:
        assert client.run_rollup() == 0
    assert calls == []


def test_a_batch_over_a_hundred_codes_is_split_into_transactions_of_at_most_a_hundred_items(client):
    from passaparola import wiring
    from passaparola.domain import codes as referral_codes
    from passaparola.domain.records import Claim, Referrer
    from passaparola.storage.claims import _item as claim_item
    from passaparola.storage.referrers import ReferrerStore

    store, now = ReferrerStore(wiring.table()), datetime.now(UTC)
    codes = [
        store.enrol(
            lambda n=n: Referrer(referral_codes.new_code("GIFT"), "gift", f"r{n}@x.test", f"k{n}", "en", now)
        )[0].code
        for n in range(120)
    ]
    client.run_rollup()
    # Each code's claim item as the claim path writes it (its transaction, with the claim's
    # other items, takes seconds on moto, which copies the table for each).
    for n, code in enumerate(codes):
        wiring.table().put(
            claim_item(Claim(f"friend{n}", "gift", f"cl_{n}", code, f"f{n}@x.test", "en", now))
        )
    with dynamodb_calls() as calls:
        client.run_rollup()
    assert calls.count("TransactWriteItems") >= 2
    assert today(client, "gift")["claims"] == 120
    claims = {item["code"]: item["claims"] for item in items_under(client.stack, "CODE#", "CODE")}
    assert claims == dict.fromkeys(codes, 1)


def test_two_batches_merging_visitors_into_one_day_at_once_lose_none(client, monkeypatch):
    """Two shards' batches both read a day's sketch, then both write it: the second write's
    condition on the version it read fails, and it reads and merges again."""
    from passaparola.storage import rollup as store

    anna = client.enrol("anna@example.com", campaign="gift").body["code"]
    bea = client.enrol("bea@example.com", campaign="gift").body["code"]
    client.run_rollup()
    client.call("GET", f"/r/{anna}", source_ip="198.51.100.1")
    client.call("GET", f"/r/{bea}", source_ip="198.51.100.2")
    records, arn = stream_records(client)
    first, second = stream_event(records[-2:-1], arn), stream_event(records[-1:], arn)
    real = store.RollupStore._sketches
    sneaked = []

    def read_then_let_another_batch_in(self, visitors):
        sketches = real(self, visitors)
        if not sneaked:
            sneaked.append(True)
            client.gateway.invoke("RollUpCountersFunction", second)  # another shard's batch
        return sketches

    monkeypatch.setattr(store.RollupStore, "_sketches", read_then_let_another_batch_in)
    client.gateway.invoke("RollUpCountersFunction", first)
    day = today(client, "gift")
    assert day["clicks"] == 2
    assert round(sketch.estimate(sketch.from_bytes(bytes(day["visitors_hll"])))) == 2
    assert day["hll_version"] == 2  # one merge each, the first one's made again on a fresh read


def test_checkpoints_expire(client):
    code = client.enrol("anna@example.com", campaign="gift").body["code"]
    client.call("GET", f"/r/{code}")
    client.run_rollup()
    (checkpoint,) = items_under(client.stack, "ROLLUP#")
    assert checkpoint["expires_at"] > datetime.now(UTC).timestamp()
