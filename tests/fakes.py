"""In-memory stand-ins for the services' ports (passaparola.services.ports), for unit tests.

Each fake answers as its DynamoDB, SQS or SES adapter does: a conditional write that finds
its condition false says so (False, or the outcome the adapter gives) and writes nothing, and
what the table writes in one transaction is all or nothing here too. tests/integration/
test_storage_contract.py runs the same cases against these and against the adapters on moto.

All fakes share one `Memory`, as the adapters share one table. `Memory.before(step, action)`
runs `action` once, just before the named write checks its conditions: the way a test puts
another caller between a service's read and its write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from passaparola.domain.campaign import Rules
from passaparola.domain.counters import Amount, DayCounters, Deltas, Target
from passaparola.domain.customers import MarkerKeys
from passaparola.domain.emails import PersonKeys
from passaparola.domain.errors import Conflict
from passaparola.domain.limits import Window
from passaparola.domain.link_requests import LinkRequest
from passaparola.domain.mail import Email
from passaparola.domain.records import (
    BoardEntry,
    Claim,
    ClaimOutcome,
    CodePartition,
    Conversion,
    CustomerMarker,
    FirstOrder,
    FoldedClicks,
    Friend,
    FriendHistory,
    Held,
    IssueOutcome,
    Notice,
    NoticeMessage,
    Order,
    QueueMessage,
    Receipt,
    RecordOutcome,
    Referrer,
    Review,
    Reward,
    RewardMessage,
    RewardRef,
    Ruling,
    Sighting,
    Visit,
    VisitOutcome,
    VoidReason,
    ask_id,
)
from passaparola.domain.tokens import DataTokens, OptOut, StatsTokens, UnsubscribeTokens, link_epoch
from passaparola.domain.vocabulary import NoticeOutcome, Revoked
from passaparola.services import Links
from passaparola.services.ports import RewardIssuer, ShopCoupons
from passaparola.storage.personal import PersonalStore
from passaparola.storage.rewards import GRACE, ISSUE_LEASE, NOTIFY_LEASE

PERSON_KEYS = PersonKeys(b"pepper")  # the adapters' keys of people, for tests to name them by


def person_key(address: str) -> str:
    return PERSON_KEYS.of(address)


@dataclass
class Memory:
    """What the table would hold, by record."""

    referrers: dict[str, Referrer] = field(default_factory=dict)
    enrolments: dict[tuple[str, str], str] = field(default_factory=dict)  # (campaign, email key) -> code
    claims: dict[tuple[str, str], Claim] = field(default_factory=dict)  # (email key, campaign)
    refusals: dict[tuple[str, str], datetime] = field(default_factory=dict)
    first_orders: dict[tuple[str, str], FirstOrder] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    rewards: dict[RewardRef, Reward] = field(default_factory=dict)
    due: dict[RewardRef, datetime] = field(default_factory=dict)  # the sparse `due` index
    notices: dict[str, Notice] = field(default_factory=dict)  # by id, due while not sent
    sending: dict[str, datetime] = field(default_factory=dict)  # notices taken, and when
    notifying: dict[RewardRef, datetime] = field(default_factory=dict)
    issuing: dict[RewardRef, datetime] = field(default_factory=dict)  # a platform asked, until
    coupons: dict[str, RewardRef] = field(default_factory=dict)  # coupon code -> its reward
    # (platform, its id) -> the reward that holds what the platform made
    issued_on: dict[tuple[str, str], RewardRef] = field(default_factory=dict)
    opt_outs: set[OptOut] = field(default_factory=set)
    markers: dict[tuple[str, str], CustomerMarker] = field(default_factory=dict)  # (kind, hash)
    reviews: dict[str, Review] = field(default_factory=dict)
    visits: set[tuple[str, date, str]] = field(default_factory=set)
    hits: dict[tuple[str, str, int], int] = field(default_factory=dict)
    listed: dict[str, list[Friend]] = field(default_factory=dict)  # code -> friends who claimed
    erased: dict[str, dict[str, Any]] = field(default_factory=dict)  # email key -> kept unsubscribe
    writes: list[str] = field(default_factory=list)  # each step that wrote, in order
    _before: dict[str, list[Callable[[], Any]]] = field(default_factory=dict)

    def before(self, step: str, action: Callable[[], Any]) -> None:
        """Run `action` once, the next time `step` (e.g. "ledger.void") is about to write."""
        self._before.setdefault(step, []).append(action)

    def step(self, name: str) -> None:
        for action in self._before.pop(name, []):
            action()

    def wrote(self, name: str) -> None:
        self.writes.append(name)

    def count(self, code: str, **added: int) -> None:
        """ADD on the code's counters."""
        referrer = self.referrers[code]
        self.referrers[code] = replace(referrer, **{k: getattr(referrer, k) + v for k, v in added.items()})

    def put_reward(self, reward: Reward) -> None:
        self.rewards[reward.ref] = reward
        if reward.status == "pending":
            self.due[reward.ref] = reward.created_at + GRACE

    def put_notices(self, notices: Sequence[Notice]) -> None:
        for notice in notices:
            self.notices[notice.notice_id] = notice

    def markers_of(self, hashes: Mapping[str, str]) -> dict[str, CustomerMarker]:
        found = {kind: self.markers.get((kind, value)) for kind, value in hashes.items()}
        return {kind: marker for kind, marker in found.items() if marker is not None}

    def see(self, sighting: Sighting) -> None:
        """A paid order's customer markers: the first sighting is kept."""
        for kind, value in sighting.hashes.items():
            self.markers.setdefault(
                (kind, value), CustomerMarker(kind, sighting.at, sighting.hashes["email"])
            )


class Referrers:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, code: str) -> Referrer | None:
        return self.memory.referrers.get(code)

    def partition(self, code: str) -> CodePartition:
        rewards = [
            r for r in self.memory.rewards.values() if r.owner.kind == "referrer" and r.owner.id == code
        ]
        return CodePartition(self.get(code), tuple(rewards), tuple(self.memory.listed.get(code, ())))

    def enrol(self, draw: Callable[[], Referrer]) -> tuple[Referrer, bool]:
        m = self.memory
        for _ in range(5):
            referrer = draw()
            m.step("referrers.enrol")
            existing = m.enrolments.get((referrer.campaign, referrer.email_key))
            if existing is not None:
                return m.referrers[existing], False
            if referrer.code in m.referrers:
                continue
            m.enrolments[(referrer.campaign, referrer.email_key)] = referrer.code
            m.referrers[referrer.code] = referrer
            m.wrote("referrers.enrol")
            return referrer, True
        raise Conflict("could not find a free referral code; retry")

    def note_welcome(self, code: str, now: datetime, not_since: datetime) -> bool:
        m = self.memory
        m.step("referrers.note_welcome")
        referrer = m.referrers[code]
        if referrer.welcome_sent_at is not None and referrer.welcome_sent_at >= not_since:
            return False
        m.referrers[code] = replace(referrer, welcome_sent_at=now, links_valid_from=link_epoch(now))
        return True

    def enrolled(self, campaign: str, email_key: str) -> bool:
        return (campaign, email_key) in self.memory.enrolments


class Board:
    """The sparse `board` index: codes with a board name and a rank, highest rank first."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def join(self, code: str, campaign: str, name: str) -> bool:
        referrer = self.memory.referrers.get(code)
        if referrer is None:
            return False
        self.memory.referrers[code] = replace(referrer, board_name=name)
        return True

    def leave(self, code: str) -> None:
        referrer = self.memory.referrers.get(code)
        if referrer is not None:
            self.memory.referrers[code] = replace(referrer, board_name=None)

    def ranked(self, campaign: str, *, limit: int) -> list[BoardEntry]:
        on_board = [
            BoardEntry(r.code, r.board_name, r.claims, r.orders, r.rank)
            for r in self.memory.referrers.values()
            if r.campaign == campaign and r.board_name is not None and r.rank is not None
        ]
        on_board.sort(key=lambda entry: entry.rank, reverse=True)
        return on_board[:limit]


class Claims:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, email_key: str, campaign: str) -> Claim | None:
        return self.memory.claims.get((email_key, campaign))

    def history(self, email_key: str) -> FriendHistory:
        m = self.memory
        claims = tuple(claim for (friend, _), claim in m.claims.items() if friend == email_key)
        firsts = {
            campaign: first for (friend, campaign), first in m.first_orders.items() if friend == email_key
        }
        return FriendHistory(claims, firsts)

    def by_coupon(self, coupon_code: str) -> tuple[Claim, FriendHistory] | None:
        ref = self.memory.coupons.get(coupon_code)
        if ref is None or ref.owner.kind != "friend":
            return None
        history = self.history(ref.owner.id)
        claim = next((c for c in history.claims if c.friend_reward_id == ref.reward_id), None)
        return (claim, history) if claim is not None else None

    def first_order(self, email_key: str, campaign: str) -> FirstOrder | None:
        return self.memory.first_orders.get((email_key, campaign))

    def create(
        self,
        claim: Claim,
        rewards: Sequence[Reward],
        *,
        takes_slot: bool,
        cap: int | None,
        notices: Sequence[Notice] = (),
        listed: Friend | None = None,
    ) -> tuple[ClaimOutcome, Claim | None]:
        m = self.memory
        m.step("claims.create")
        earlier = m.claims.get((claim.friend, claim.campaign))
        if earlier is not None:
            return "exists", earlier
        referrer = m.referrers.get(claim.code)
        if referrer is None or not referrer.active:
            return "code_inactive", None
        if takes_slot and cap is not None and referrer.qualified >= cap:
            return "cap_reached", None
        _no_reward_yet(m, rewards)
        m.claims[(claim.friend, claim.campaign)] = claim
        m.count(claim.code, qualified=int(takes_slot))
        for reward in rewards:
            m.put_reward(reward)
        m.put_notices(notices)
        if listed is not None:
            m.listed.setdefault(claim.code, []).append(listed)
        m.wrote("claims.create")
        return "created", None

    def note_reward_emailed(self, claim: Claim, now: datetime, not_since: datetime) -> bool:
        m = self.memory
        stored = m.claims.get((claim.friend, claim.campaign))
        if stored is None or (stored.reward_emailed_at is not None and stored.reward_emailed_at >= not_since):
            return False
        m.claims[(claim.friend, claim.campaign)] = replace(stored, reward_emailed_at=now)
        return True

    def note_refusal_emailed(self, email_key: str, campaign: str, now: datetime, not_since: datetime) -> bool:
        last = self.memory.refusals.get((email_key, campaign))
        if last is not None and last >= not_since:
            return False
        self.memory.refusals[(email_key, campaign)] = now
        return True


class Orders:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, order_id: str) -> Order | None:
        return self.memory.orders.get(order_id)

    def look_up(
        self,
        order_id: str,
        markers: Mapping[str, str],
        buyer: str | None = None,
        asking: Collection[str] = (),
    ) -> tuple[Order | None, dict[str, CustomerMarker], frozenset[str]]:
        m = self.memory
        asked = frozenset(
            c
            for c in asking
            if buyer is not None and ((c, buyer) in m.enrolments or ask_id(c, buyer) in m.notices)
        )
        return m.orders.get(order_id), m.markers_of(markers), asked

    def _ask(self, ask: Notice | None) -> None:
        """Written unless that buyer was asked in that campaign: then the order goes without."""
        if ask is not None and ask.notice_id not in self.memory.notices:
            self.memory.put_notices([ask])

    def record(self, conversion: Conversion) -> tuple[RecordOutcome, Order | None]:
        m = self.memory
        m.step("orders.record")
        order, first = conversion.order, conversion.first
        assert order.code is not None
        if order.order_id in m.orders:
            return "duplicate", m.orders[order.order_id]
        if first is not None and (first.friend, first.campaign) in m.first_orders:
            return "not_first", None
        cap = conversion.cap if conversion.takes_slot else None
        if cap is not None and m.referrers[order.code].qualified >= cap:
            return "cap_reached", None
        _no_reward_yet(m, conversion.rewards)
        m.orders[order.order_id] = order
        if first is not None:
            m.first_orders[(first.friend, first.campaign)] = first
        m.count(order.code, qualified=int(conversion.takes_slot))
        for reward in conversion.rewards:
            m.put_reward(reward)
        if conversion.review is not None:
            m.reviews[conversion.review.conversion_id] = conversion.review
        m.put_notices(conversion.notices)
        self._ask(conversion.ask)
        m.see(conversion.sighting)
        m.wrote("orders.record")
        return "recorded", None

    def record_unrewarded(
        self, order: Order, sighting: Sighting, ask: Notice | None = None
    ) -> tuple[RecordOutcome, Order | None]:
        m = self.memory
        m.step("orders.record_unrewarded")
        if order.order_id in m.orders:
            return "duplicate", m.orders[order.order_id]
        m.orders[order.order_id] = order
        self._ask(ask)
        m.see(sighting)
        m.wrote("orders.record_unrewarded")
        return "recorded", None

    def mark_refunded(self, order_id: str, now: datetime) -> Order | None:
        m = self.memory
        m.step("orders.mark_refunded")
        order = m.orders.get(order_id)
        if order is None:
            m.orders[order_id] = Order(order_id, "refunded", refunded_at=now)
            return None
        m.orders[order_id] = replace(order, refunded_at=order.refunded_at or now)
        return m.orders[order_id]


class Ledger:
    """The reward ledger: every change conditional on the status it starts from."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, ref: RewardRef) -> Reward | None:
        return self.memory.rewards.get(ref)

    def create(self, reward: Reward) -> bool:
        self.memory.step("ledger.create")
        if reward.ref in self.memory.rewards:
            return False
        self.memory.put_reward(reward)
        return True

    def _move(self, step: str, ref: RewardRef, since: tuple[str, ...], **changes: Any) -> bool:
        m = self.memory
        m.step(step)
        reward = m.rewards.get(ref)
        if reward is None or reward.status not in since:
            return False
        m.rewards[ref] = replace(reward, **changes)
        m.wrote(step)
        return True

    def approve(self, ref: RewardRef, now: datetime) -> bool:
        moved = self._move("ledger.approve", ref, ("review",), status="pending")
        if moved:
            self.memory.due[ref] = now + GRACE
        return moved

    def hold(self, ref: RewardRef, hold_until: datetime) -> bool:
        moved = self._move("ledger.hold", ref, ("pending",), status="held", hold_until=hold_until)
        if moved:
            self.memory.due[ref] = hold_until
        return moved

    def reserve_coupon(self, ref: RewardRef, coupon_code: str) -> IssueOutcome:
        m = self.memory
        reward = m.rewards.get(ref)
        if reward is None or reward.status != "held" or reward.coupon_code is not None:
            return "not_held"
        if coupon_code in m.coupons:
            return "coupon_taken"
        m.rewards[ref] = replace(reward, coupon_code=coupon_code)
        m.coupons[coupon_code] = ref
        return "issued"

    def attempt(self, ref: RewardRef, now: datetime) -> datetime | None:
        m = self.memory
        m.step("ledger.attempt")
        reward = m.rewards.get(ref)
        lease = m.issuing.get(ref)
        if reward is None or reward.status != "held" or (lease is not None and lease >= now):
            return None
        m.issuing[ref] = now + ISSUE_LEASE
        m.rewards[ref] = replace(reward, attempted_at=reward.attempted_at or now)
        return m.rewards[ref].attempted_at

    def release_attempt(self, ref: RewardRef) -> None:
        self.memory.issuing.pop(ref, None)

    def issue(
        self,
        ref: RewardRef,
        now: datetime,
        coupon_code: str | None,
        counted_for: str | None,
        *,
        reserved: bool = False,
        receipt: Receipt | None = None,
    ) -> IssueOutcome:
        m = self.memory
        m.step("ledger.issue")
        reward = m.rewards.get(ref)
        if reward is None or reward.status != "held":
            return "not_held"
        if coupon_code is not None and not reserved and coupon_code in m.coupons:
            return "coupon_taken"
        held_by = (
            (receipt.platform, receipt.reference) if receipt is not None and coupon_code is None else None
        )
        if held_by is not None and held_by in m.issued_on:
            return "reference_taken"
        m.rewards[ref] = replace(
            reward, status="issued", issued_at=now, coupon_code=coupon_code, issued_on=receipt
        )
        m.due[ref] = now + GRACE
        if coupon_code is not None:
            m.coupons[coupon_code] = ref
        if held_by is not None:
            m.issued_on[held_by] = ref
        if counted_for is not None:
            m.count(counted_for, rewarded=1)
        m.wrote("ledger.issue")
        return "issued"

    def claim_notification(self, ref: RewardRef, now: datetime) -> bool:
        m = self.memory
        reward = m.rewards.get(ref)
        taken = m.notifying.get(ref)
        if reward is None or reward.status != "issued" or reward.notified_at is not None:
            return False
        if taken is not None and taken >= now - NOTIFY_LEASE:
            return False
        m.notifying[ref] = now
        return True

    def release_notification(self, ref: RewardRef) -> None:
        self.memory.notifying.pop(ref, None)

    def mark_notified(self, ref: RewardRef, now: datetime) -> None:
        reward = self.memory.rewards[ref]
        self.memory.rewards[ref] = replace(reward, notified_at=reward.notified_at or now)
        self.memory.due.pop(ref, None)

    def void(self, ref: RewardRef, now: datetime, reason: VoidReason, slot_of: str | None) -> bool:
        moved = self._move(
            "ledger.void", ref, ("pending", "held", "review"), status="void", void_reason=reason
        )
        if moved:
            self.memory.due.pop(ref, None)
            if slot_of is not None:
                self.memory.count(slot_of, qualified=-1)
        return moved

    def claw_back(self, ref: RewardRef, now: datetime, reason: VoidReason, *, revoke: bool = False) -> bool:
        revocation = "pending" if revoke else None
        moved = self._move(
            "ledger.claw_back",
            ref,
            ("issued",),
            status="clawed_back",
            void_reason=reason,
            revocation=revocation,
        )
        if moved:
            if revoke:
                self.memory.due[ref] = now + GRACE
            else:
                self.memory.due.pop(ref, None)
        return moved

    def note_revocation(self, ref: RewardRef, revoked: Revoked, now: datetime) -> bool:
        m = self.memory
        m.step("ledger.note_revocation")
        reward = m.rewards.get(ref)
        if reward is None or reward.revocation != "pending":
            return False
        m.rewards[ref] = replace(reward, revocation=revoked)
        m.due.pop(ref, None)
        return True

    def due(self, now: datetime, limit: int) -> Iterator[QueueMessage]:
        """Rewards and notices, as they share the index (a notice a grace after its time)."""
        m = self.memory
        due: list[tuple[datetime, QueueMessage]] = [
            (at, RewardMessage.for_reward(m.rewards[ref])) for ref, at in m.due.items() if at <= now
        ]
        due += [
            (notice.send_at + GRACE, NoticeMessage(notice_id))
            for notice_id, notice in m.notices.items()
            if notice.sent_at is None and notice.send_at + GRACE <= now
        ]
        for _, message in sorted(due, key=lambda pair: pair[0])[:limit]:
            yield message


class Notices:
    """The lifecycle's emails: written once, taken under a lease, closed with their outcome."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, notice_id: str) -> Notice | None:
        return self.memory.notices.get(notice_id)

    def schedule(self, notice: Notice) -> bool:
        if notice.notice_id in self.memory.notices:
            return False
        self.memory.put_notices([notice])
        return True

    def take(self, notice_id: str, now: datetime) -> bool:
        m = self.memory
        m.step("notices.take")
        notice, taken = m.notices.get(notice_id), m.sending.get(notice_id)
        if (
            notice is None
            or notice.sent_at is not None
            or (taken is not None and taken >= now - NOTIFY_LEASE)
        ):
            return False
        m.sending[notice_id] = now
        return True

    def give_back(self, notice_id: str) -> None:
        self.memory.sending.pop(notice_id, None)

    def close(self, notice_id: str, now: datetime, outcome: NoticeOutcome) -> None:
        m = self.memory
        notice = m.notices[notice_id]
        m.notices[notice_id] = replace(
            notice, sent_at=notice.sent_at or now, outcome=notice.outcome or outcome, email=None
        )
        m.sending.pop(notice_id, None)


class Markers:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def find(self, hashes: Mapping[str, str]) -> dict[str, CustomerMarker]:
        return self.memory.markers_of(hashes)


class Reviews:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def get(self, conversion_id: str) -> Review | None:
        return self.memory.reviews.get(conversion_id)

    def decide(self, review: Review, ruling: Ruling) -> Ruling:
        m = self.memory
        m.step("reviews.decide")
        stored = m.reviews[review.conversion_id]
        if stored.ruling is not None:
            return stored.ruling
        m.reviews[review.conversion_id] = replace(stored, ruling=ruling)
        order = m.orders[review.order_id]
        m.orders[review.order_id] = replace(
            order, status="queued" if ruling.decision == "approve" else "rejected"
        )
        return ruling


class Clicks:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def record(self, visit: Visit) -> VisitOutcome:
        m = self.memory
        if (visit.code, visit.day, visit.visitor) in m.visits:
            return "repeat"
        m.visits.add((visit.code, visit.day, visit.visitor))
        return "counted"


class ClickCounts:
    """A code's folded clicks live on its referrer; its visits are the click path's."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def folded(self, codes: Collection[str]) -> dict[str, FoldedClicks]:
        referrers = self.memory.referrers
        return {code: referrers[code].folded_clicks for code in codes if code in referrers}

    def visits_after(self, code: str, through: date | None) -> dict[date, int]:
        days = Counter(d for c, d, _ in self.memory.visits if c == code and (through is None or d > through))
        return dict(days)

    def any_visit(self, code: str) -> bool:
        return any(c == code for c, _, _ in self.memory.visits)

    def fold(self, code: str, was: date | None, folded: FoldedClicks) -> bool:
        m = self.memory
        m.step("clicks.fold")
        referrer = m.referrers.get(code)
        if referrer is None or referrer.folded_clicks.through != was:
            return False
        m.referrers[code] = replace(referrer, folded_clicks=folded)
        m.wrote("clicks.fold")
        return True


class Counters:
    """The counters' items: the totals each target has been given, and the batches'
    checkpoints. `apply` is all or nothing on the checkpoint's condition, as the transaction."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.checkpoints: dict[str, int] = {}
        self.totals: dict[Target, dict[str, Amount]] = {}
        self.visitors: dict[DayCounters, set[str]] = {}

    def checkpoint(self, batch: str) -> int | None:
        return self.checkpoints.get(batch)

    def counted_codes(self, codes: Collection[str]) -> set[str]:
        referrers = self.memory.referrers
        return {code for code in codes if code in referrers and referrers[code].active}

    def apply(self, batch: str, after: int | None, upto: int, deltas: Deltas) -> bool:
        self.memory.step("counters.apply")
        if self.checkpoints.get(batch) != after:
            return False
        for target, adds in deltas.adds.items():
            totals = self.totals.setdefault(target, {})
            for name, amount in adds.items():
                totals[name] = totals.get(name, 0) + amount
        for day, seen in deltas.visitors.items():
            self.visitors.setdefault(day, set()).update(seen)
        self.checkpoints[batch] = upto
        self.memory.wrote("counters.apply")
        return True


class Limits:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def hit(self, route: str, client: str, window: Window, limit: int) -> bool:
        key = (route, client, window.start)
        if self.memory.hits.get(key, 0) >= limit:
            return False
        self.memory.hits[key] = self.memory.hits.get(key, 0) + 1
        return True


class Queue:
    """The reward queue: what was sent, in order. `down` makes sending fail, as SQS can."""

    def __init__(self) -> None:
        self.sent: list[QueueMessage] = []
        self.down = False

    def send(self, messages: Sequence[QueueMessage]) -> None:
        if self.down:
            raise ConnectionError("SQS is down")
        self.sent.extend(messages)

    def take(self) -> list[QueueMessage]:
        """Receive everything sent so far, as the worker would."""
        taken, self.sent = self.sent, []
        return taken


class LinkQueue:
    """The link queue: the requests sent, in order, until the worker takes them."""

    def __init__(self) -> None:
        self.sent: list[LinkRequest] = []

    def send(self, request: LinkRequest) -> None:
        self.sent.append(request)

    def take(self) -> list[LinkRequest]:
        taken, self.sent = self.sent, []
        return taken


class OptOuts:
    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def add(self, opt_out: OptOut, now: datetime) -> None:
        self.memory.opt_outs.add(opt_out)

    def has(self, opt_out: OptOut) -> bool:
        return opt_out in self.memory.opt_outs


class Mailer:
    """Outgoing email: what was sent. `down` makes sending fail, as SES can."""

    def __init__(self) -> None:
        self.sent: list[Email] = []
        self.down = False

    def send(self, email: Email) -> None:
        if self.down:
            raise ConnectionError("SES is down")
        self.sent.append(email)

    def to(self, address: str) -> list[Email]:
        return [email for email in self.sent if email.to == address]


def _no_reward_yet(memory: Memory, rewards: Sequence[Reward]) -> None:
    """A reward id is derived from what earned it: writing one twice would cancel the
    adapter's transaction; here it fails the test."""
    assert not [r.ref for r in rewards if r.ref in memory.rewards], "a reward written twice"


class SignIns:
    """Sign-in links by token digest: each redeemed once, before it expires."""

    def __init__(self) -> None:
        self.links: dict[str, tuple[str, datetime, datetime | None]] = {}  # email, expires, used

    def create(self, digest: str, email: str, now: datetime, expires_at: datetime) -> None:
        assert digest not in self.links
        self.links[digest] = (email, expires_at, None)

    def redeem(self, digest: str, now: datetime) -> str | None:
        found = self.links.get(digest)
        if found is None or found[2] is not None or found[1] <= now:
            return None
        self.links[digest] = (found[0], found[1], now)
        return found[0]


class Personal:
    """storage.personal.PersonalStore in memory, as far as the my-data service decides on it:
    a person's referral codes and claims, and the unsubscribe a deletion keeps (which records
    from when data links open anything). Every other kind, and each kind's fate, is the
    adapter's, tested on moto (tests/integration/test_my_data.py)."""

    def __init__(self, memory: Memory) -> None:
        self.memory = memory

    def find(self, email_key: str, campaigns: Sequence[str]) -> Held:
        m = self.memory
        held = Held(email_key)
        held.add(
            "referral_codes",
            [
                {
                    "pk": f"CODE#{r.code}",
                    "sk": "CODE",
                    "code": r.code,
                    "campaign": r.campaign,
                    "email": r.email,
                }
                for r in m.referrers.values()
                if r.email_key == email_key and r.campaign in campaigns
            ],
        )
        held.add(
            "claims",
            [
                {
                    "pk": f"FRIEND#{email_key}",
                    "sk": f"CLAIM#{c.campaign}",
                    "campaign": c.campaign,
                    "email": c.email,
                }
                for (friend, campaign), c in m.claims.items()
                if friend == email_key and campaign in campaigns
            ],
        )
        if email_key in m.erased:
            held.add("unsubscribes", [dict(m.erased[email_key])])
        return held

    # What an export shows of an item is pure, and the adapter's own: the same here.
    shown = staticmethod(PersonalStore.shown)

    def erase(self, held: Held, now: datetime) -> int:
        m = self.memory
        m.step("personal.erase")
        m.erased.setdefault(
            held.email_key, {"pk": f"OPTOUT#{held.email_key}", "sk": "OPTOUT", "erased_at": now}
        )
        for item in held.of("referral_codes"):
            code = item["code"]
            m.referrers[code] = replace(m.referrers[code], email="", email_key="", active=False)
        for item in held.of("claims"):
            m.claims.pop((held.email_key, item["campaign"]), None)
        m.wrote("personal.erase")
        return len(held.of("referral_codes")) + len(held.of("claims"))

    def close_links(self, email_key: str, valid_from: int) -> None:
        kept = self.memory.erased[email_key]
        kept["data_links_from"] = max(valid_from, kept.get("data_links_from", 0))


class Adapters:
    """wiring.Adapters in memory: every store over one `Memory`, one queue, one outbox, fixed
    keys and the clock a test gives. Services are built from it by wiring's own `build_*`."""

    def __init__(
        self,
        rules: Rules,
        clock: Callable[[], datetime],
        memory: Memory | None = None,
        *,
        site_url: str = "http://site.test",
        api_url: str = "http://api.test",
        shop: ShopCoupons | None = None,
        issuers: Mapping[str, RewardIssuer] | None = None,
    ) -> None:
        self.memory = memory or Memory()
        self.shop = shop
        self.issuers = dict(issuers or {})
        self.queue = Queue()
        self.links_asked = LinkQueue()
        self.outbox = Mailer()
        self.sign_ins = SignIns()
        self._rules = rules
        self._clock = clock
        self._links = Links(site_url=site_url, api_url=api_url)
        self._tokens = StatsTokens(b"k" * 32, timedelta(days=90))
        self._data_tokens = DataTokens(b"k" * 32)
        self._unsubscribe_tokens = UnsubscribeTokens(b"u" * 32)
        self._marker_keys = MarkerKeys(b"pepper")
        self._person_keys = PERSON_KEYS

    @property
    def clock(self) -> Callable[[], datetime]:
        return self._clock

    def rules(self) -> Rules:
        return self._rules

    def links(self) -> Links:
        return self._links

    def referrer_store(self) -> Referrers:
        return Referrers(self.memory)

    def board_store(self) -> Board:
        return Board(self.memory)

    def claim_store(self) -> Claims:
        return Claims(self.memory)

    def order_store(self) -> Orders:
        return Orders(self.memory)

    def reward_ledger(self) -> Ledger:
        return Ledger(self.memory)

    def notice_store(self) -> Notices:
        return Notices(self.memory)

    def marker_store(self) -> Markers:
        return Markers(self.memory)

    def review_store(self) -> Reviews:
        return Reviews(self.memory)

    def opt_out_store(self) -> OptOuts:
        return OptOuts(self.memory)

    def click_counts(self) -> ClickCounts:
        return ClickCounts(self.memory)

    def sign_in_store(self) -> SignIns:
        return self.sign_ins

    def personal_store(self) -> Personal:
        return Personal(self.memory)

    def reward_queue(self) -> Queue:
        return self.queue

    def shop_coupons(self) -> ShopCoupons | None:
        return self.shop

    def reward_issuers(self) -> Mapping[str, RewardIssuer]:
        return self.issuers

    def link_queue(self) -> LinkQueue:
        return self.links_asked

    def mailer(self) -> Mailer:
        return self.outbox

    def tokens(self) -> StatsTokens:
        return self._tokens

    def data_tokens(self) -> DataTokens:
        return self._data_tokens

    def unsubscribe_tokens(self) -> UnsubscribeTokens:
        return self._unsubscribe_tokens

    def marker_keys(self) -> MarkerKeys:
        return self._marker_keys

    def person_keys(self) -> PersonKeys:
        return self._person_keys

    def visitor_salt(self) -> bytes:
        return b"visitor-salt"

    def customer_marker_days(self) -> int:
        return 730
