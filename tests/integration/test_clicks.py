import re
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from passaparola import wiring
from passaparola.domain.clicks import VISIT_TTL
from passaparola.storage import aws
from tests.support import BROWSER, SITE, dynamodb_calls, items_under

pytestmark = pytest.mark.integration


@pytest.fixture
def code(client):
    return client.enrol("anna@example.com", campaign="gift").body["code"]


def clicks(client, code):
    """The code's clicks, as its stats page and the report read them (from its visits)."""
    return wiring.click_counter().of_codes([code])[code]


def test_a_click_redirects_to_the_landing_page_and_is_counted(client, code):
    answer = client.call("GET", f"/r/{code}")
    assert answer.status == 302
    assert answer.headers["cache-control"] == "no-store"
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{SITE}/en/gift/welcome/"
    query = parse_qs(location.query)
    assert query["ref"] == [code] and query["v"][0] in {"a", "b"}
    assert clicks(client, code) == 1


def test_a_counted_click_is_exactly_one_dynamodb_call_and_no_read(client, code, monkeypatch):
    """The per-client limit on clicks counts in memory: a counted click is still one write (a
    conditional PutItem of 1 WCU), and a click over the limit costs no DynamoDB call at all."""
    monkeypatch.setenv("CLICK_RATE_LIMIT", "2/60")
    wiring.reset()
    client.call("GET", f"/r/{code}", source_ip="198.51.100.1")  # warm: the salt is read once per cold start
    with dynamodb_calls() as calls:
        answer = client.call("GET", f"/r/{code}", source_ip="198.51.100.2")
    assert answer.status == 302
    assert calls == ["PutItem"]
    assert clicks(client, code) == 2
    with dynamodb_calls() as calls:
        statuses = [client.call("GET", f"/r/{code}", source_ip="198.51.100.2").status for _ in range(2)]
    assert statuses == [302, 429]
    assert calls == [
        "PutItem"
    ]  # the repeat visit's (its condition fails: it writes nothing); the 429 made none


def test_the_same_visitor_is_counted_once_a_day(client, code, clock):
    for _ in range(3):
        assert client.call("GET", f"/r/{code}", source_ip="198.51.100.1").status == 302
    assert clicks(client, code) == 1
    client.call("GET", f"/r/{code}", source_ip="198.51.100.9")
    assert clicks(client, code) == 2
    clock.advance(days=1)
    client.call("GET", f"/r/{code}", source_ip="198.51.100.1")
    assert clicks(client, code) == 3


@pytest.mark.parametrize(
    "agent", ["WhatsApp/2.23.20.0 A", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0", ""]
)
def test_bots_and_previews_are_redirected_but_not_counted(client, code, agent):
    with dynamodb_calls() as calls:
        answer = client.call("GET", f"/r/{code}", headers={"user-agent": agent})
    assert answer.status == 302 and f"ref={code}" in answer.headers["location"]
    assert calls == []
    assert clicks(client, code) == 0


def test_raw_ip_addresses_are_never_stored_and_a_visit_keeps_only_a_days_hash(client, code):
    """Visits are kept until the table's TTL deletes them (a code's clicks are counted from them
    and folded long before), so what one holds is the visitor's salted hash of that day, the
    time, the campaign, the variant and when it expires: nothing else."""
    client.call("GET", f"/r/{code}", source_ip="198.51.100.77")
    everything = repr(items_under(client.stack, ""))
    assert "198.51.100.77" not in everything
    (visit,) = items_under(client.stack, "VISIT#")
    assert set(visit) == {"pk", "sk", "campaign", "at", "variant", "expires_at"}
    ttl = aws.client("dynamodb").describe_time_to_live(TableName=client.stack.ref("Table"))
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"
    clicked = datetime.fromisoformat(visit["at"]).timestamp()
    assert int(visit["expires_at"]) - clicked == pytest.approx(VISIT_TTL.total_seconds(), abs=2)
    assert re.fullmatch(rf"VISIT#{code}#[0-7]", visit["pk"])
    assert re.fullmatch(r"VISIT#\d{4}-\d\d-\d\d#[0-9a-f]{32}", visit["sk"])


def test_a_codes_visits_spread_over_its_eight_shards(client, code):
    for n in range(64):
        client.call("GET", f"/r/{code}", source_ip=f"198.51.100.{n}")
    shards = {visit["pk"] for visit in items_under(client.stack, f"VISIT#{code}#")}
    assert len(shards) == 8
    assert clicks(client, code) == 64


@pytest.mark.parametrize("raw", ["NOPE-BCDFGHJKM", "garbage", "gift-bcdfghjk"])
def test_a_code_that_cannot_be_lands_on_the_home_page_without_a_write(client, raw):
    with dynamodb_calls() as calls:
        answer = client.call("GET", f"/r/{raw}")
    assert answer.status == 302
    assert answer.headers["location"] == f"{SITE}/?ref_status=invalid"
    assert calls == []


def test_a_code_nobody_holds_lands_on_its_campaign_and_is_never_counted(client):
    """The click path reads nothing, so a well-formed code of a running campaign lands with
    ?ref= (the landing page asks GET /codes/{code}); the rollup counts no click for it, and
    creates no code item."""
    answer = client.call("GET", "/r/GIFT-BCDFGHJKM")
    assert answer.headers["location"].startswith(f"{SITE}/en/gift/welcome/?ref=GIFT-BCDFGHJKM")
    client.run_rollup()
    assert items_under(client.stack, "CODE#GIFT-BCDFGHJKM") == []
    assert all(int(day.get("clicks", 0)) == 0 for day in items_under(client.stack, "STATS#gift"))


def test_an_inactive_codes_clicks_are_left_out_of_its_campaigns_counters(client, code):
    """The click path reads nothing, so the visit is written; the campaign's counters skip
    it. The code's own clicks are its visits, counted when read."""
    aws.client("dynamodb").update_item(
        TableName=client.stack.ref("Table"),
        Key={"pk": {"S": f"CODE#{code}"}, "sk": {"S": "CODE"}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "inactive"}},
    )
    answer = client.call("GET", f"/r/{code}")
    assert answer.headers["location"].startswith(f"{SITE}/en/gift/welcome/?ref={code}")
    client.run_rollup()
    assert all(int(day.get("clicks", 0)) == 0 for day in items_under(client.stack, "STATS#gift"))


def test_the_destination_never_comes_from_the_request(client, code):
    answer = client.call(
        "GET",
        f"/r/{code}",
        query="next=https://evil.test/&redirect=https://evil.test/",
        headers={"host": "evil.test", "x-forwarded-host": "evil.test", "referer": "https://evil.test/"},
    )
    assert answer.headers["location"].startswith(f"{SITE}/en/gift/welcome/?ref={code}")
    assert "evil" not in answer.headers["location"]


def test_the_landing_language_follows_the_browser(client, code):
    answer = client.call(
        "GET", f"/r/{code}", headers={"accept-language": "it-IT,it;q=0.9", "user-agent": BROWSER}
    )
    assert answer.headers["location"].startswith(f"{SITE}/it/gift/welcome/")


def test_a_campaign_that_ended_lands_invalid_without_a_write(client, code, clock):
    clock.now = clock.now.replace(year=clock.now.year + 1)
    client.call("GET", f"/r/{code}")  # the campaign has no end date: still counted
    assert clicks(client, code) == 1
    ended = "ENDED-BCDFGHJKM"
    with dynamodb_calls() as calls:
        answer = client.call("GET", f"/r/{ended}")
    assert answer.headers["location"] == f"{SITE}/en/ended/welcome/?ref={ended}&ref_status=invalid"
    assert calls == []


def test_behind_cloudfront_the_visitors_own_address_is_used(client, code):
    """Every visitor reaches the API from a CloudFront edge address (the local gateway does
    what CloudFront does); the visitor's own comes in CloudFront-Viewer-Address."""
    for visitor in ("198.51.100.1", "198.51.100.2", "198.51.100.1"):
        client.call("GET", f"/r/{code}", source_ip=visitor)
    assert clicks(client, code) == 2


def test_a_click_that_cannot_be_counted_still_reaches_its_page(client, code, monkeypatch):
    from botocore.exceptions import ClientError

    from passaparola.storage import dynamo

    def throttled(self, item, *, condition=None):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutItem")

    monkeypatch.setattr(dynamo.Table, "put", throttled)
    answer = client.call("GET", f"/r/{code}")
    assert answer.status == 302
    assert answer.headers["location"].startswith(f"{SITE}/en/gift/welcome/?ref={code}")


def test_a_counted_click_writes_no_log_line_and_a_lost_one_says_so(client, code, capfd, caplog, monkeypatch):
    """On Lambda, what a function prints is CloudWatch Logs, paid per byte: a counted click
    prints nothing at all (no metric either: the counters count it). A click that could not be
    written prints its one metric line and the error."""
    from botocore.exceptions import ClientError

    from passaparola.storage import dynamo

    client.call("GET", f"/r/{code}", source_ip="198.51.100.1")  # warm
    capfd.readouterr()
    caplog.clear()
    with caplog.at_level("DEBUG", logger="tests"):
        client.call("GET", f"/r/{code}", source_ip="198.51.100.2")
    assert capfd.readouterr() == ("", "")
    assert caplog.records == []

    def throttled(self, item, *, condition=None):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutItem")

    monkeypatch.setattr(dynamo.Table, "put", throttled)
    client.call("GET", f"/r/{code}", source_ip="198.51.100.3")
    assert '"ClickNotCounted"' in capfd.readouterr().out
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == ["click not counted"]
