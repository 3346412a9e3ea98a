"""What the services need from storage, the queue and the mail, as protocols.

The DynamoDB, SQS and SES adapters in `storage/` fit these; so do the in-memory fakes the
unit tests use (tests/fakes.py). Every write that can lose a race says so in its answer (a
False, or an outcome), exactly as the table's conditions decide it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from passaparola.domain import events, records
    from passaparola.domain.counters import Deltas
    from passaparola.domain.limits import Window
    from passaparola.domain.link_requests import LinkRequest
    from passaparola.domain.mail import Email
    from passaparola.domain.shop import CouponTerms, Grant
    from passaparola.domain.tokens import OptOut
    from passaparola.domain.vocabulary import NoticeOutcome, Revoked


class ReferrerStore(Protocol):
    def get(self, code: str) -> records.Referrer | None: ...

    def partition(self, code: str) -> records.CodePartition:
        """The code, its rewards and its listed friends: one query."""
        ...

    def enrol(self, draw: Callable[[], records.Referrer]) -> tuple[records.Referrer, bool]:
        """The person's referrer in the campaign, or a new one drawn (with a new random code
        each call) until its code is free; and whether it was created."""
        ...

    def note_welcome(self, code: str, now: datetime, not_since: datetime) -> bool:
        """False if a welcome went out after `not_since`; else noted, revoking older stats links."""
        ...

    def enrolled(self, campaign: str, email_key: str) -> bool: ...


class BoardStore(Protocol):
    def join(self, code: str, campaign: str, name: str) -> bool:
        """On the campaign's board under `name`; False when the code is gone or erased."""
        ...

    def leave(self, code: str) -> None: ...

    def ranked(self, campaign: str, *, limit: int) -> list[records.BoardEntry]:
        """The first `limit` codes on the campaign's board, from the top: one query."""
        ...


class ClaimStore(Protocol):
    def get(self, email_key: str, campaign: str) -> records.Claim | None: ...

    def history(self, email_key: str) -> records.FriendHistory: ...

    def by_coupon(self, coupon_code: str) -> tuple[records.Claim, records.FriendHistory] | None:
        """The claim whose friend's reward is this coupon, with that friend's history; None for
        a coupon that is no friend's (unknown, or a referrer's own reward)."""
        ...

    def create(
        self,
        claim: records.Claim,
        rewards: Sequence[records.Reward],
        *,
        takes_slot: bool,
        cap: int | None,
        notices: Sequence[records.Notice] = (),
        listed: records.Friend | None = None,
    ) -> tuple[records.ClaimOutcome, records.Claim | None]:
        """All or nothing: the claim, its code's counters (under the cap if it takes a slot),
        its rewards, the emails it schedules and the friend in the code's list. For `exists`,
        the earlier claim."""
        ...

    def first_order(self, email_key: str, campaign: str) -> records.FirstOrder | None:
        """The friend's first order counted in the campaign, if any (one read)."""
        ...

    def note_reward_emailed(self, claim: records.Claim, now: datetime, not_since: datetime) -> bool: ...

    def note_refusal_emailed(
        self, email_key: str, campaign: str, now: datetime, not_since: datetime
    ) -> bool: ...


class OrderStore(Protocol):
    def get(self, order_id: str) -> records.Order | None: ...

    def look_up(
        self,
        order_id: str,
        markers: Mapping[str, str],
        buyer: str | None = None,
        asking: Collection[str] = (),
    ) -> tuple[records.Order | None, dict[str, records.CustomerMarker], frozenset[str]]:
        """The order if recorded, its customer markers that exist, and the campaigns among
        `asking` in which the buyer is enrolled or was asked to join: one read."""
        ...

    def record(self, conversion: records.Conversion) -> tuple[records.RecordOutcome, records.Order | None]:
        """All of it or nothing, its code's counters too (under the cap if it takes a slot).
        For `duplicate`, the order recorded first."""
        ...

    def record_unrewarded(
        self, order: records.Order, sighting: records.Sighting, ask: records.Notice | None = None
    ) -> tuple[records.RecordOutcome, records.Order | None]:
        """The order and its markers, and the ask unless that buyer was asked there already."""
        ...

    def mark_refunded(self, order_id: str, now: datetime) -> records.Order | None:
        """The refunded order, or None (and a note that blocks it) for an order never reported."""
        ...


class RewardLedger(Protocol):
    """Every status change is conditional on the status it starts from."""

    def get(self, ref: records.RewardRef) -> records.Reward | None: ...

    def create(self, reward: records.Reward) -> bool: ...

    def approve(self, ref: records.RewardRef, now: datetime) -> bool: ...

    def hold(self, ref: records.RewardRef, hold_until: datetime) -> bool: ...

    def reserve_coupon(self, ref: records.RewardRef, coupon_code: str) -> records.IssueOutcome: ...

    def attempt(self, ref: records.RewardRef, now: datetime) -> datetime | None: ...

    def release_attempt(self, ref: records.RewardRef) -> None: ...

    def issue(
        self,
        ref: records.RewardRef,
        now: datetime,
        coupon_code: str | None,
        counted_for: str | None,
        *,
        reserved: bool = False,
        receipt: records.Receipt | None = None,
    ) -> records.IssueOutcome: ...

    def claim_notification(self, ref: records.RewardRef, now: datetime) -> bool: ...

    def release_notification(self, ref: records.RewardRef) -> None: ...

    def mark_notified(self, ref: records.RewardRef, now: datetime) -> None: ...

    def void(
        self, ref: records.RewardRef, now: datetime, reason: records.VoidReason, slot_of: str | None
    ) -> bool: ...

    def claw_back(
        self, ref: records.RewardRef, now: datetime, reason: records.VoidReason, *, revoke: bool = False
    ) -> bool:
        """issued -> clawed_back; with `revoke`, its code pending deactivation in the shop."""
        ...

    def note_revocation(self, ref: records.RewardRef, revoked: Revoked, now: datetime) -> bool: ...

    def due(self, now: datetime, limit: int) -> Iterator[records.QueueMessage]:
        """Rewards and lifecycle emails due by `now` (they share the due index)."""
        ...


class MarkerStore(Protocol):
    def find(self, hashes: Mapping[str, str]) -> dict[str, records.CustomerMarker]: ...


class PersonalStore(Protocol):
    def find(self, email_key: str, campaigns: Sequence[str]) -> records.Held:
        """Every item of storage.personal.KINDS under the address key, and what links to them."""
        ...

    def shown(self, held: records.Held) -> dict[str, list[dict[str, Any]]]:
        """Each kind's items as the person reads them: no key of the table, and no person's
        key, their own or anyone else's."""
        ...

    def erase(self, held: records.Held, now: datetime) -> int:
        """Delete what was found, keeping the money records without the person; repeatable.
        How many of the items found went (deleted, or erased of the person): which kinds go
        and which stay is storage's own list (storage.personal.KINDS)."""
        ...

    def close_links(self, email_key: str, valid_from: int) -> None:
        """Data links issued before `valid_from` (Unix seconds) open nothing any more; a later
        epoch already recorded stays."""
        ...


class ReviewStore(Protocol):
    def get(self, conversion_id: str) -> records.Review | None: ...

    def decide(self, review: records.Review, ruling: records.Ruling) -> records.Ruling:
        """The ruling recorded, or the first one if there is one already."""
        ...


class ClickStore(Protocol):
    def record(self, visit: records.Visit) -> records.VisitOutcome: ...


class ClickCounts(Protocol):
    def folded(self, codes: Collection[str]) -> dict[str, records.FoldedClicks]:
        """The folded clicks on each code's item, for the codes that exist."""
        ...

    def visits_after(self, code: str, through: date | None) -> dict[date, int]:
        """The code's visits of each day after `through` (all of them when None)."""
        ...

    def any_visit(self, code: str) -> bool: ...

    def fold(self, code: str, was: date | None, folded: records.FoldedClicks) -> bool:
        """Set the code's folded clicks if they are still folded through `was`."""
        ...


class RollupStore(Protocol):
    def checkpoint(self, batch: str) -> int | None:
        """The sequence number up to which a batch of the stream has been counted."""
        ...

    def counted_codes(self, codes: Collection[str]) -> set[str]:
        """Those of `codes` whose clicks count: codes that exist and are active."""
        ...

    def apply(self, batch: str, after: int | None, upto: int, deltas: Deltas) -> bool:
        """All of `deltas` and the batch's checkpoint moved from `after` to `upto`, in one
        transaction; False, writing nothing, if the checkpoint is not at `after`."""
        ...


class LimitStore(Protocol):
    def hit(self, route: str, client: str, window: Window, limit: int) -> bool: ...


class EventQueue(Protocol):
    def send(self, deliveries: Sequence[events.Delivery]) -> None: ...


class Poster(Protocol):
    def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """Post, or raise DeliveryFailed (no answer, or not a 2xx)."""
        ...


class ShopCoupons(Protocol):
    """The shop's own discounts: the coupon created there once per `terms.key`, however often
    asked; ShopUnavailable when it could not be."""

    def create(self, terms: CouponTerms) -> None: ...

    def deactivate(self, code: str) -> Revoked:
        """The code made unusable unless it was used ("deactivated", also when it was already),
        or what it is instead ("used", "absent"); ShopUnavailable when the shop cannot say."""
        ...


class RewardIssuer(Protocol):
    """A platform that issues referrers' rewards (the shop, or the payouts provider)."""

    def issue(self, grant: Grant) -> records.Receipt | None:
        """Issue it, once per `grant.key` however often asked; None when this platform cannot
        for this person (no such customer, no monthly subscription): the business gives it.
        ShopUnavailable when the platform could not be asked or refused."""
        ...

    def found(self, grant: Grant) -> Sequence[records.Receipt]:
        """What an earlier call for this grant may have made whose answer was lost, oldest
        first: asked before calling again once `grant.attempted_at` is set."""
        ...


class RewardQueue(Protocol):
    def send(self, messages: Sequence[records.QueueMessage]) -> None: ...


class LinkQueue(Protocol):
    def send(self, request: LinkRequest) -> None: ...


class NoticeStore(Protocol):
    """Each lifecycle email once: written once, taken under a lease, closed with its outcome."""

    def get(self, notice_id: str) -> records.Notice | None: ...

    def schedule(self, notice: records.Notice) -> bool: ...

    def take(self, notice_id: str, now: datetime) -> bool: ...

    def give_back(self, notice_id: str) -> None: ...

    def close(self, notice_id: str, now: datetime, outcome: NoticeOutcome) -> None: ...


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...


class OptOutStore(Protocol):
    def add(self, opt_out: OptOut, now: datetime) -> None: ...

    def has(self, opt_out: OptOut) -> bool: ...


# --- the business's side -----------------------------------------------------------------------


class CounterStore(Protocol):
    def days(self, campaign: str, first: date, last: date) -> list[records.CampaignDay]: ...

    def top_referrers(self, campaign: str, limit: int) -> list[records.Ranked]: ...


class DigestLog(Protocol):
    def first(self, email_key: str, day: date, now: datetime) -> bool: ...


class ReferralStore(Protocol):
    def page(
        self, campaign: str, since: datetime, until: datetime, limit: int, after: Mapping[str, str] | None
    ) -> records.Page[records.Referral]: ...


class WaitingStore(Protocol):
    def rewards_to_fulfil(
        self, campaign: str | None, limit: int, after: Mapping[str, str] | None
    ) -> records.Page[records.Reward]: ...

    def reviews(
        self, campaign: str | None, limit: int, after: Mapping[str, str] | None
    ) -> records.Page[records.Review]: ...


class FulfilmentLedger(Protocol):
    def fulfil(self, ref: records.RewardRef, fulfilment: records.Fulfilment) -> records.Reward | None:
        """The reward with its first fulfilment, or as it is when it cannot take one (not
        issued, or a kind the kit gives itself); None if there is no such reward."""
        ...


class SignInStore(Protocol):
    def create(self, digest: str, email: str, now: datetime, expires_at: datetime) -> None: ...

    def redeem(self, digest: str, now: datetime) -> str | None:
        """The address of an unused, unexpired link, which is used from now on; else None."""
        ...
