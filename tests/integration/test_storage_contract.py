"""The storage ports' contract, run against the DynamoDB adapters on moto and against the
in-memory fakes the service tests use (tests/fakes.py): same records back, same conditions,
same outcomes. A fake that passes here answers as the table does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from passaparola import wiring
from passaparola.domain.campaign import Credit
from passaparola.domain.records import (
    BoardEntry,
    Claim,
    Conversion,
    FirstOrder,
    FoldedClicks,
    Friend,
    Notice,
    NoticeMessage,
    Order,
    Owner,
    Receipt,
    Referrer,
    Review,
    Reward,
    RewardMessage,
    Ruling,
    Sighting,
    Visit,
)
from passaparola.storage import keys
from passaparola.storage.board import BoardStore
from passaparola.storage.claims import ClaimStore
from passaparola.storage.clicks import ClickCounts, ClickStore
from passaparola.storage.markers import MarkerStore
from passaparola.storage.notices import NoticeStore
from passaparola.storage.orders import OrderStore
from passaparola.storage.referrers import ReferrerStore
from passaparola.storage.reviews import ReviewStore
from passaparola.storage.rewards import GRACE, NOTIFY_LEASE, RewardLedger
from tests import fakes

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 10, 12, 0, 0, 123456, tzinfo=UTC)
CODE = "GIFT-BCDFGHJKM"
CREDIT = Credit(type="credit", amount=Decimal(10), currency="EUR")


@dataclass
class Stores:
    referrers: Any
    claims: Any
    orders: Any
    ledger: Any
    reviews: Any
    markers: Any
    notices: Any
    clicks: Any
    click_counts: Any
    board: Any
    rank: Callable[[str, int], None]  # what the counters' rollup does to a code's rank


@pytest.fixture(params=["dynamodb", "memory"])
def stores(request: pytest.FixtureRequest) -> Stores:
    if request.param == "memory":
        memory = fakes.Memory()
        return Stores(
            fakes.Referrers(memory),
            fakes.Claims(memory),
            fakes.Orders(memory),
            fakes.Ledger(memory),
            fakes.Reviews(memory),
            fakes.Markers(memory),
            fakes.Notices(memory),
            fakes.Clicks(memory),
            fakes.ClickCounts(memory),
            fakes.Board(memory),
            lambda code, rank: memory.referrers.__setitem__(code, replace(memory.referrers[code], rank=rank)),
        )
    request.getfixturevalue("stack")
    table = wiring.table()
    return Stores(
        ReferrerStore(table),
        ClaimStore(table),
        OrderStore(table),
        RewardLedger(table),
        ReviewStore(table),
        MarkerStore(table),
        NoticeStore(table),
        ClickStore(table),
        ClickCounts(table),
        BoardStore(table),
        lambda code, rank: table.update(
            keys.code(code), "SET #rank = :rank", {":rank": rank}, names={"#rank": "rank"}
        ),
    )


def referrer(code: str = CODE, email: str = "anna@example.com") -> Referrer:
    return Referrer(code, "gift", email, f"key-{email}", "en", NOW, display_name="Anna")


def reward(reward_id: str = "order-1", *, status: str = "pending", takes_slot: bool = True) -> Reward:
    return Reward(
        owner=Owner.referrer(CODE),
        reward_id=reward_id,
        role="referrer",
        spec=CREDIT,
        value=Decimal("10.5"),
        currency="EUR",
        hold_days=14,
        campaign="gift",
        code=CODE,
        status=status,  # type: ignore[arg-type]
        created_at=NOW,
        order_id="1",
        takes_slot=takes_slot,
    )


def claim(friend: str = "marco-key") -> Claim:
    return Claim(friend, "gift", "cl_1", CODE, "marco@example.com", "it", NOW, signals=("same_client",))


def order(order_id: str = "1", **changes: Any) -> Order:
    return replace(
        Order(order_id, "queued", "cv_1", Decimal("49.90"), "EUR", NOW, None, "gift", CODE, "claim"),
        **changes,
    )


SIGHTING = Sighting({"email": "e1", "address": "a1"}, NOW, NOW + timedelta(days=730))


def enrolled(stores: Stores) -> Referrer:
    found, created = stores.referrers.enrol(referrer)
    assert created
    return found


def test_an_enrolment_keeps_one_code_per_person_and_draws_again_on_a_taken_code(stores):
    anna = enrolled(stores)
    assert stores.referrers.get(CODE) == anna
    again, created = stores.referrers.enrol(lambda: referrer("GIFT-CDFGHJKMN"))
    assert (again, created) == (anna, False)
    drawn = iter([CODE, "GIFT-DFGHJKMNP"])  # the first code drawn for Bea is Anna's
    bea, created = stores.referrers.enrol(lambda: referrer(next(drawn), "bea@example.com"))
    assert (bea.code, created) == ("GIFT-DFGHJKMNP", True)


def test_a_welcome_is_noted_at_most_once_in_its_window(stores):
    enrolled(stores)
    assert stores.referrers.note_welcome(CODE, NOW, NOW - timedelta(days=1))
    assert not stores.referrers.note_welcome(CODE, NOW + timedelta(hours=1), NOW)
    assert stores.referrers.note_welcome(CODE, NOW + timedelta(days=2), NOW + timedelta(days=1))
    noted = stores.referrers.get(CODE)
    assert noted.welcome_sent_at == NOW + timedelta(days=2)
    assert noted.links_valid_from is not None


def test_a_claim_is_written_once_with_its_rewards_and_takes_its_cap_slot(stores):
    enrolled(stores)
    assert stores.claims.create(claim(), [reward()], takes_slot=True, cap=1) == ("created", None)
    assert stores.claims.get("marco-key", "gift") == claim()
    assert stores.ledger.get(reward().ref) == reward()
    assert stores.claims.create(replace(claim(), claim_id="cl_2"), [], takes_slot=False, cap=1) == (
        "exists",
        claim(),
    )
    other = replace(claim("bea-key"), claim_id="cl_3")
    assert stores.claims.create(other, [reward("claim-bea")], takes_slot=True, cap=1) == ("cap_reached", None)
    assert stores.claims.get("bea-key", "gift") is None
    assert stores.referrers.get(CODE).qualified == 1  # `claims` is the counters' rollup's


def test_a_claim_on_a_code_that_does_not_exist_is_refused(stores):
    assert stores.claims.create(claim(), [], takes_slot=False, cap=None) == ("code_inactive", None)
    assert stores.claims.get("marco-key", "gift") is None


def test_an_order_is_recorded_once_and_a_friends_first_order_once(stores):
    enrolled(stores)
    first = FirstOrder("marco-key", "gift", "1", NOW, CODE)
    recorded = order(rewards=(reward().ref,))
    outcome = stores.orders.record(
        Conversion(recorded, SIGHTING, (reward(),), first=first, takes_slot=True, cap=3)
    )
    assert outcome == ("recorded", None)
    assert stores.orders.look_up("1", SIGHTING.hashes)[0] == recorded
    assert stores.claims.history("marco-key").first_orders == {"gift": first}
    duplicate = stores.orders.record(Conversion(order(), SIGHTING, cap=3))
    assert duplicate == ("duplicate", recorded)
    second = stores.orders.record(Conversion(order("2"), SIGHTING, first=replace(first, order_id="2")))
    assert second == ("not_first", None)
    assert stores.referrers.get(CODE).qualified == 1  # `orders` is the counters' rollup's


def test_an_order_that_would_pass_the_cap_is_refused_whole(stores):
    enrolled(stores)
    stores.orders.record(Conversion(order(), SIGHTING, (reward(),), takes_slot=True, cap=1))
    outcome = stores.orders.record(
        Conversion(order("2"), SIGHTING, (reward("order-2"),), takes_slot=True, cap=1)
    )
    assert outcome == ("cap_reached", None)
    assert stores.ledger.get(reward("order-2").ref) is None
    assert stores.orders.look_up("2", {})[0] is None


def test_a_refund_of_an_unknown_order_blocks_it_when_it_comes(stores):
    assert stores.orders.mark_refunded("7", NOW) is None
    outcome, first = stores.orders.record_unrewarded(order("7", status="rejected"), SIGHTING)
    assert outcome == "duplicate"
    assert (first.status, first.conversion_id, first.refunded_at) == ("refunded", None, NOW)


def test_a_refund_of_a_known_order_returns_it_with_its_rewards(stores):
    enrolled(stores)
    recorded = order(rewards=(reward().ref,))
    stores.orders.record(Conversion(recorded, SIGHTING, (reward(),), takes_slot=True))
    assert stores.orders.mark_refunded("1", NOW) == replace(recorded, refunded_at=NOW)
    later = NOW + timedelta(days=1)
    assert stores.orders.mark_refunded("1", later).refunded_at == NOW  # the first refund's time stays


def test_customer_markers_keep_their_first_sighting(stores):
    stores.orders.record_unrewarded(order("1", status="rejected"), SIGHTING)
    later = Sighting({"email": "e2", "address": "a1"}, NOW + timedelta(days=9), NOW + timedelta(days=800))
    stores.orders.record_unrewarded(order("2", status="rejected"), later)
    found = stores.markers.find({"email": "e2", "address": "a1", "payment": "p9"})
    assert set(found) == {"email", "address"}
    assert (found["address"].first_seen_at, found["address"].first_email) == (NOW, "e1")
    assert found["email"].first_seen_at == NOW + timedelta(days=9)


def test_each_step_of_a_reward_is_taken_only_from_the_status_before_it(stores):
    enrolled(stores)
    ledger, ref = stores.ledger, reward().ref
    assert ledger.create(reward())
    assert not ledger.create(reward())
    assert ledger.issue(ref, NOW, None, None) == "not_held"  # pending, not held yet
    until = NOW + timedelta(days=14)
    assert ledger.hold(ref, until)
    assert not ledger.hold(ref, until)
    assert ledger.issue(ref, until, "GIFT-COUPON", CODE) == "issued"
    assert ledger.issue(ref, until, "GIFT-OTHER", CODE) == "not_held"
    assert not ledger.void(ref, until, "refunded", CODE)
    assert ledger.claw_back(ref, until, "refunded")
    assert not ledger.claw_back(ref, until, "refunded")
    final = ledger.get(ref)
    assert (final.status, final.hold_until, final.issued_at, final.coupon_code, final.void_reason) == (
        "clawed_back",
        until,
        until,
        "GIFT-COUPON",
        "refunded",
    )
    assert stores.referrers.get(CODE).rewarded == 1


def test_a_coupon_code_is_issued_once(stores):
    enrolled(stores)
    for reward_id in ("a", "b"):
        stores.ledger.create(reward(reward_id))
        stores.ledger.hold(reward(reward_id).ref, NOW)
    assert stores.ledger.issue(reward("a").ref, NOW, "GIFT-SAME", None) == "issued"
    assert stores.ledger.issue(reward("b").ref, NOW, "GIFT-SAME", None) == "coupon_taken"
    assert stores.ledger.get(reward("b").ref).status == "held"


def test_an_attempt_is_written_once_and_what_a_platform_made_is_held_by_one_reward(stores):
    enrolled(stores)
    for reward_id in ("a", "b"):
        stores.ledger.create(reward(reward_id))
    assert stores.ledger.attempt(reward("a").ref, NOW) is None  # pending: not yet
    for reward_id in ("a", "b"):
        stores.ledger.hold(reward(reward_id).ref, NOW)
    assert stores.ledger.attempt(reward("a").ref, NOW) == NOW
    assert stores.ledger.attempt(reward("a").ref, NOW + timedelta(seconds=30)) is None  # another run's
    later = NOW + timedelta(minutes=2)
    assert stores.ledger.attempt(reward("a").ref, later) == NOW  # its lease over: the first try's time
    stores.ledger.release_attempt(reward("a").ref)
    assert stores.ledger.attempt(reward("a").ref, later) == NOW
    credit = Receipt("shopify", "store_credit", "gid://shopify/StoreCreditAccountCreditTransaction/1")
    assert stores.ledger.issue(reward("a").ref, NOW, None, None, receipt=credit) == "issued"
    assert stores.ledger.issue(reward("b").ref, NOW, None, None, receipt=credit) == "reference_taken"
    issued, held = stores.ledger.get(reward("a").ref), stores.ledger.get(reward("b").ref)
    assert (issued.status, issued.attempted_at, issued.issued_on) == ("issued", NOW, credit)
    assert (held.status, held.issued_on) == ("held", None)


def test_a_friends_coupon_leads_to_their_claim_and_history_and_a_referrers_coupon_to_nothing(stores):
    enrolled(stores)
    gift = replace(reward("friend-gift", takes_slot=False), owner=Owner.friend("marco-key"), role="friend")
    stores.claims.create(replace(claim(), friend_reward_id="friend-gift"), [gift], takes_slot=False, cap=None)
    first = FirstOrder("marco-key", "gift", "1", NOW, CODE)
    stores.orders.record(Conversion(order(), SIGHTING, first=first))
    stores.ledger.hold(gift.ref, NOW)
    stores.ledger.issue(gift.ref, NOW, "GIFT-BCDF-GHJK-MNP", None)
    found = stores.claims.by_coupon("GIFT-BCDF-GHJK-MNP")
    assert found is not None
    found_claim, history = found
    assert found_claim == replace(claim(), friend_reward_id="friend-gift")
    assert history.first_orders == {"gift": first}
    stores.ledger.create(reward("tier-2"))
    stores.ledger.hold(reward("tier-2").ref, NOW)
    stores.ledger.issue(reward("tier-2").ref, NOW, "GIFT-CDFG-HJKM-NPQ", None)
    assert stores.claims.by_coupon("GIFT-CDFG-HJKM-NPQ") is None
    assert stores.claims.by_coupon("GIFT-DFGH-JKMN-PQR") is None


def test_a_void_gives_the_cap_slot_back_and_a_review_moves_only_from_review(stores):
    enrolled(stores)
    waiting = reward(status="review")
    stores.orders.record(Conversion(order(), SIGHTING, (waiting,), takes_slot=True))
    assert not stores.ledger.hold(waiting.ref, NOW)
    assert stores.ledger.void(waiting.ref, NOW, "review_rejected", CODE)
    assert not stores.ledger.approve(waiting.ref, NOW)
    assert stores.referrers.get(CODE).qualified == 0


def test_only_rewards_with_work_left_are_due(stores):
    enrolled(stores)
    pending, held, waiting = reward("p"), reward("h"), reward("r", status="review")
    for entry in (pending, held, waiting):
        stores.ledger.create(entry)
    stores.ledger.hold(held.ref, NOW + timedelta(days=14))
    assert list(stores.ledger.due(NOW, 10)) == []  # within the grace
    soon = NOW + GRACE + timedelta(seconds=1)
    assert list(stores.ledger.due(soon, 10)) == [RewardMessage.for_reward(pending)]
    assert stores.ledger.approve(waiting.ref, NOW)
    assert len(list(stores.ledger.due(soon, 10))) == 2
    later = NOW + timedelta(days=15)
    stores.ledger.issue(held.ref, later, None, None)
    issued = {m.reward_id: m.from_status for m in stores.ledger.due(later + GRACE, 10)}
    assert issued == {"p": "pending", "r": "pending", "h": "issued"}  # its owner not told yet
    stores.ledger.mark_notified(held.ref, later)
    assert {m.reward_id for m in stores.ledger.due(later + GRACE, 10)} == {"p", "r"}


def test_a_code_clawed_back_to_be_deactivated_stays_due_until_the_shops_answer_is_noted_once(stores):
    enrolled(stores)
    ledger, ref = stores.ledger, reward().ref
    ledger.create(reward())
    ledger.hold(ref, NOW)
    ledger.issue(ref, NOW, "GIFT-COUPON", CODE)
    ledger.mark_notified(ref, NOW)
    assert not ledger.note_revocation(ref, "deactivated", NOW)  # nothing asked of the shop yet
    assert ledger.claw_back(ref, NOW, "refunded", revoke=True)
    assert ledger.get(ref).revocation == "pending"
    later = NOW + GRACE + timedelta(seconds=1)
    assert list(ledger.due(later, 10)) == [RewardMessage(ref.owner, ref.reward_id, "clawed_back")]
    assert ledger.note_revocation(ref, "deactivated", later)
    assert not ledger.note_revocation(ref, "used", later)
    final = ledger.get(ref)
    assert (final.status, final.revocation) == ("clawed_back", "deactivated")
    assert list(ledger.due(later, 10)) == []


def test_one_run_at_a_time_may_tell_a_rewards_owner(stores):
    enrolled(stores)
    ref = reward().ref
    stores.ledger.create(reward())
    stores.ledger.hold(ref, NOW)
    stores.ledger.issue(ref, NOW, None, None)
    assert stores.ledger.claim_notification(ref, NOW)
    assert not stores.ledger.claim_notification(ref, NOW + timedelta(minutes=1))
    assert stores.ledger.claim_notification(ref, NOW + NOTIFY_LEASE + timedelta(seconds=1))  # sender died
    stores.ledger.release_notification(ref)
    assert stores.ledger.claim_notification(ref, NOW + NOTIFY_LEASE + timedelta(seconds=2))
    stores.ledger.mark_notified(ref, NOW)
    assert not stores.ledger.claim_notification(ref, NOW + timedelta(days=1))
    assert stores.ledger.get(ref).notified_at == NOW


def test_the_first_ruling_on_a_review_stands(stores):
    enrolled(stores)
    held = order(status="review", reason="shared_address", rewards=(reward().ref,))
    review = Review("cv_1", "1", "gift", "shared_address", held.rewards, NOW)
    stores.orders.record(
        Conversion(held, SIGHTING, (reward(status="review"),), takes_slot=True, review=review)
    )
    assert stores.reviews.get("cv_1") == review
    first = Ruling("reject", "shop", NOW, "same household")
    assert stores.reviews.decide(review, first) == first
    assert stores.reviews.decide(review, Ruling("approve", "shop", NOW + timedelta(hours=1))) == first
    assert stores.reviews.get("cv_1") == replace(review, ruling=first)
    assert stores.orders.look_up("1", {})[0].status == "rejected"


@pytest.fixture(params=["dynamodb", "memory"])
def sign_ins(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return fakes.SignIns()
    request.getfixturevalue("stack")
    from passaparola.storage.sign_ins import SignInStore

    return SignInStore(wiring.table())


def test_a_sign_in_link_is_redeemed_once_and_only_before_it_expires(sign_ins: Any) -> None:
    sign_ins.create("d1", "boss@shop.test", NOW, NOW + timedelta(minutes=15))
    sign_ins.create("d2", "boss@shop.test", NOW, NOW + timedelta(minutes=15))
    assert sign_ins.redeem("d1", NOW + timedelta(minutes=1)) == "boss@shop.test"
    assert sign_ins.redeem("d1", NOW + timedelta(minutes=2)) is None
    assert sign_ins.redeem("d2", NOW + timedelta(minutes=15)) is None
    assert sign_ins.redeem("unknown", NOW) is None


# --- clicks ----------------------------------------------------------------------------------


def visit(day: date, visitor: int) -> Visit:
    return Visit(CODE, "gift", day, f"{visitor:032x}", NOW, "a")


def test_a_visitor_is_written_once_a_day_and_a_codes_visits_are_counted_by_day(stores):
    enrolled(stores)
    first, second = NOW.date() - timedelta(days=9), NOW.date()
    # Visitor ids whose first digits put them on several of the code's shards.
    outcomes = [stores.clicks.record(visit(first, n << 96)) for n in range(12)]
    assert outcomes == ["counted"] * 12
    assert stores.clicks.record(visit(first, 3 << 96)) == "repeat"
    assert stores.clicks.record(visit(second, 3 << 96)) == "counted"
    assert stores.click_counts.visits_after(CODE, None) == {first: 12, second: 1}
    assert stores.click_counts.visits_after(CODE, first) == {second: 1}
    assert stores.click_counts.visits_after(CODE, second) == {}
    assert stores.click_counts.any_visit(CODE)
    assert not stores.click_counts.any_visit("GIFT-CDFGHJKMN")


def test_a_fold_is_written_only_over_the_fold_it_was_read_with(stores):
    enrolled(stores)
    day = NOW.date() - timedelta(days=9)
    assert stores.click_counts.folded([CODE, "GIFT-CDFGHJKMN"]) == {CODE: FoldedClicks()}
    assert stores.click_counts.fold(CODE, None, FoldedClicks(1200, day))
    assert not stores.click_counts.fold(CODE, None, FoldedClicks(1300, day))  # another reader was first
    assert not stores.click_counts.fold(CODE, day - timedelta(days=1), FoldedClicks(1300, day))
    assert stores.click_counts.fold(CODE, day, FoldedClicks(2500, day + timedelta(days=1)))
    assert stores.click_counts.folded([CODE]) == {CODE: FoldedClicks(2500, day + timedelta(days=1))}
    assert stores.referrers.get(CODE).folded_clicks == FoldedClicks(2500, day + timedelta(days=1))
    assert not stores.click_counts.fold("GIFT-CDFGHJKMN", None, FoldedClicks(1, day))  # no such code


# --- lifecycle emails ------------------------------------------------------------------------


def test_a_notice_is_written_once_due_from_its_time_and_closed_once(stores):
    nudge = Notice("referrer_nudge", "gift", CODE, NOW + timedelta(days=7))
    assert stores.notices.schedule(nudge)
    assert not stores.notices.schedule(replace(nudge, send_at=NOW))  # the same event, again
    assert stores.notices.get(nudge.notice_id) == nudge
    assert list(stores.ledger.due(NOW + timedelta(days=7), 10)) == []  # a grace after its time
    later = NOW + timedelta(days=7) + GRACE
    assert list(stores.ledger.due(later, 10)) == [NoticeMessage(nudge.notice_id)]
    assert stores.notices.take(nudge.notice_id, later)
    assert not stores.notices.take(nudge.notice_id, later + NOTIFY_LEASE - timedelta(seconds=1))
    stores.notices.give_back(nudge.notice_id)
    assert stores.notices.take(nudge.notice_id, later)
    stores.notices.close(nudge.notice_id, later, "sent")
    stores.notices.close(nudge.notice_id, later + GRACE, "not_needed")  # the first outcome stays
    assert stores.notices.get(nudge.notice_id) == replace(nudge, sent_at=later, outcome="sent")
    assert not stores.notices.take(nudge.notice_id, later + NOTIFY_LEASE * 2)
    assert list(stores.ledger.due(later + timedelta(days=1), 10)) == []


def test_an_ask_goes_with_its_order_once_per_buyer_and_loses_its_address_when_closed(stores):
    anna = enrolled(stores)
    ask = Notice(
        "purchase_ask", "gift", None, NOW + timedelta(days=3), order_id="1", buyer="marco-key",
        email="marco@example.com", lang="it",
    )  # fmt: skip
    assert stores.orders.record_unrewarded(order("1", status="rejected"), SIGHTING, ask) == ("recorded", None)
    assert stores.notices.get(ask.notice_id) == ask
    assert stores.orders.look_up("2", {}, "marco-key", ["gift", "instant"])[2] == {"gift"}
    assert stores.orders.look_up("2", {}, anna.email_key, ["gift", "instant"])[2] == {"gift"}  # enrolled
    assert stores.orders.look_up("2", {}, "bea-key", ["gift"])[2] == frozenset()
    # A second order of Marco's whose read came before the first ask: the order stands, alone.
    again = replace(ask, code=CODE, order_id="2", send_at=NOW)
    recorded = order("2", rewards=(reward().ref,))
    outcome = stores.orders.record(
        Conversion(recorded, SIGHTING, (reward(),), takes_slot=True, cap=3, ask=again)
    )
    assert outcome == ("recorded", None)
    assert stores.orders.look_up("2", {})[0] == recorded
    assert stores.notices.get(ask.notice_id) == ask
    stores.notices.close(ask.notice_id, NOW, "sent")
    assert stores.notices.get(ask.notice_id) == replace(ask, email=None, sent_at=NOW, outcome="sent")


def test_a_stale_lease_on_a_notice_can_be_taken_again(stores):
    told = Notice("cap_reached", "gift", CODE, NOW)
    assert stores.notices.schedule(told)
    assert stores.notices.take(told.notice_id, NOW)
    assert stores.notices.take(told.notice_id, NOW + NOTIFY_LEASE + timedelta(seconds=1))


def test_a_claim_lists_its_friend_under_the_code_once_and_the_code_is_read_with_it(stores):
    enrolled(stores)
    named = replace(claim(), name="Marco Bianchi")
    earned = replace(reward("claim-marco-key"), friend="marco-key")
    listed = Friend("marco-key", NOW, "Marco B.")
    assert stores.claims.create(named, [earned], takes_slot=False, cap=None, listed=listed) == (
        "created",
        None,
    )
    again = replace(named, claim_id="cl_2")
    assert stores.claims.create(again, [], takes_slot=False, cap=None, listed=listed)[0] == "exists"
    assert stores.claims.get("marco-key", "gift") == named
    found = stores.referrers.partition(CODE)
    assert (found.referrer, found.rewards, found.friends) == (
        stores.referrers.get(CODE),
        (earned,),
        (listed,),
    )
    assert stores.referrers.partition("GIFT-CDFGHJKMN").referrer is None


def test_only_codes_that_joined_the_board_and_have_a_rank_are_on_it(stores):
    enrolled(stores)
    stores.referrers.enrol(lambda: referrer("GIFT-DFGHJKMNP", "bea@example.com"))
    stores.referrers.enrol(lambda: referrer("GIFT-FGHJKMNPQ", "clio@example.com"))
    stores.rank(CODE, 2)
    stores.rank("GIFT-DFGHJKMNP", 1_000_000_001)  # unasked: never on it
    assert stores.board.join(CODE, "gift", "Anna R.")
    assert stores.board.join("GIFT-FGHJKMNPQ", "gift", "Clio")  # no rank yet: not on it yet
    assert not stores.board.join("GIFT-CDFGHJKMN", "gift", "Nobody")  # no such code
    assert stores.board.ranked("gift", limit=10) == [BoardEntry(CODE, "Anna R.", 0, 0, 2)]
    assert stores.referrers.get(CODE).board_name == "Anna R."
    stores.board.leave(CODE)
    stores.board.leave("GIFT-CDFGHJKMN")  # creates nothing
    assert stores.board.ranked("gift", limit=10) == []
    assert stores.referrers.get(CODE).board_name is None
    assert stores.referrers.get("GIFT-CDFGHJKMN") is None
