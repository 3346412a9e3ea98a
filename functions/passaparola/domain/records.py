"""What the services keep and read back: typed records, the only shapes that cross the storage
boundary. Storage alone knows how each is keyed and laid out in the table; above it nothing
sees a partition key, an item, or a time as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from passaparola.domain.sketch import Sketch
from passaparola.domain.vocabulary import (
    Decision,
    FraudCheck,
    NoticeKind,
    NoticeOutcome,
    OrderStatus,
    OwnerKind,
    Reason,
    RewardStatus,
    Role,
    ShopRevocation,
    Via,
)

if TYPE_CHECKING:
    # Only for the annotation: the campaign models are heavy to import, and a record is not.
    from passaparola.domain.campaign import RewardSpec

T = TypeVar("T")

# What a conditional write found, for the writes that can fail in more than one way.
ClaimOutcome = Literal["created", "exists", "code_inactive", "cap_reached"]
RecordOutcome = Literal["recorded", "duplicate", "not_first", "cap_reached"]
IssueOutcome = Literal["issued", "not_held", "coupon_taken", "reference_taken"]
VisitOutcome = Literal["counted", "repeat", "lost"]
VoidReason = Literal["refunded", "review_rejected", "erased"]


@dataclass(frozen=True)
class Owner:
    """Whom a reward belongs to: a referrer, by referral code, or a friend, by email key."""

    kind: OwnerKind
    id: str

    @classmethod
    def referrer(cls, code: str) -> Owner:
        return cls("referrer", code)

    @classmethod
    def friend(cls, email_key: str) -> Owner:
        return cls("friend", email_key)


@dataclass(frozen=True)
class RewardRef:
    owner: Owner
    reward_id: str


@dataclass(frozen=True)
class FoldedClicks:
    """The clicks on a code already added up on its own item: every visit of the days up to
    `through` (None: none yet). Visits of later days are counted when read (domain.clicks)."""

    clicks: int = 0
    through: date | None = None


@dataclass(frozen=True)
class Referrer:
    """A referral code, the person who owns it, and its counters. `claims` and `orders` are
    rolled up from the table's stream, moments after the fact; `qualified` and `rewarded` are
    written with the money they count, because decisions read them. Its clicks are counted on
    read (services.click_counts): `folded_clicks` is only the part already added up."""

    code: str
    campaign: str
    email: str
    email_key: str
    lang: str
    created_at: datetime
    active: bool = True
    display_name: str | None = None
    parent_code: str | None = None  # the code that referred this referrer (second level)
    enrol_client: str | None = None  # the salted per-day hash of the network it enrolled from
    folded_clicks: FoldedClicks = field(default_factory=FoldedClicks)
    claims: int = 0
    orders: int = 0  # attributed first orders
    qualified: int = 0  # referrals that took a slot of the campaign's cap
    rewarded: int = 0  # referrals whose reward was issued, past the refund window
    welcome_sent_at: datetime | None = None
    links_valid_from: int | None = None  # stats links issued before this epoch are revoked
    rank: int | None = None  # the counters' rank (orders, then claims), from the first claim on
    board_name: str | None = None  # the name shown on the campaign's leaderboard, once opted in


@dataclass(frozen=True)
class Claim:
    """A friend's claim of an offer: one per friend (by email key) per campaign."""

    friend: str
    campaign: str
    claim_id: str
    code: str
    email: str
    lang: str
    claimed_at: datetime
    variant: str | None = None
    friend_reward_id: str | None = None
    reward_emailed_at: datetime | None = None
    # Checks that passed the claim and judge again the order it brings (same_client).
    signals: tuple[FraudCheck, ...] = ()
    shadow: tuple[FraudCheck, ...] = ()
    name: str | None = None  # as the friend typed it on the claim form, if they did


@dataclass(frozen=True)
class Friend:
    """A friend who claimed through a code, as the code's own list keeps them for its
    referrer: by email key, and shown only by first name and initial (or not at all)."""

    friend: str
    claimed_at: datetime
    name: str | None = None


@dataclass(frozen=True)
class CodePartition:
    """All that is kept under one code and read in one query: the code, its rewards and the
    friends who claimed through it (the code is None when it does not exist or was erased)."""

    referrer: Referrer | None
    rewards: tuple[Reward, ...] = ()
    friends: tuple[Friend, ...] = ()


@dataclass(frozen=True)
class FirstOrder:
    """That a friend's first order in a campaign has been counted, and which one it was;
    with the claim it came from, if any (when, and the landing page's A/B variant)."""

    friend: str
    campaign: str
    order_id: str
    at: datetime
    code: str
    claimed_at: datetime | None = None
    variant: str | None = None


@dataclass(frozen=True)
class FriendHistory:
    """Everything kept under one friend that an order needs: claims and first orders."""

    claims: tuple[Claim, ...] = ()
    first_orders: Mapping[str, FirstOrder] = field(default_factory=dict)  # by campaign


@dataclass(frozen=True)
class Order:
    """An order the shop reported, recorded once, or a refund that came before it."""

    order_id: str
    status: OrderStatus
    conversion_id: str | None = None  # None only for a refund that came first
    amount: Decimal | None = None
    currency: str | None = None
    created_at: datetime | None = None
    reason: Reason | None = None
    campaign: str | None = None
    code: str | None = None
    via: Via | None = None
    shadow: tuple[FraudCheck, ...] = ()
    rewards: tuple[RewardRef, ...] = ()
    expires_at: datetime | None = None
    refunded_at: datetime | None = None


@dataclass(frozen=True)
class Reward:
    """One entry of the reward ledger."""

    owner: Owner
    reward_id: str
    role: Role
    spec: RewardSpec
    value: Decimal | None
    currency: str | None
    hold_days: int
    campaign: str
    code: str  # the referral code it was earned through
    status: RewardStatus
    created_at: datetime
    order_id: str | None = None
    takes_slot: bool = False  # counted against the code's cap while it stands
    hold_until: datetime | None = None
    issued_at: datetime | None = None
    coupon_code: str | None = None
    notified_at: datetime | None = None
    void_reason: VoidReason | None = None
    fulfilment: Fulfilment | None = None  # for the kinds the business gives itself
    friend: str | None = None  # a referrer's reward: the email key of the friend it came from
    # When the first call to a platform for it began, written before that call: from then on
    # the platform may hold it, whatever the ledger says, so a retry reads back first.
    attempted_at: datetime | None = None
    issued_on: Receipt | None = None  # where a platform issued it; None: the business gives it
    revocation: ShopRevocation | None = None  # clawed back with a code: what the shop did with it

    @property
    def ref(self) -> RewardRef:
        return RewardRef(self.owner, self.reward_id)

    @property
    def kind(self) -> str:
        return self.spec.type


# What a platform made of a reward, as the email tells its owner.
IssuedKind = Literal["coupon", "store_credit", "customer_balance", "subscription_discount", "payout"]


@dataclass(frozen=True)
class Receipt:
    """A reward issued on a platform: which (stripe, shopify, woocommerce, tremendous), what it
    made, and the platform's own id for it, which one reward alone may hold."""

    platform: str
    kind: IssuedKind
    reference: str


@dataclass(frozen=True)
class RewardMessage:
    """Asks the reward worker to move one reward on from `from_status`."""

    owner: Owner
    reward_id: str
    from_status: RewardStatus

    @classmethod
    def for_reward(cls, reward: Reward) -> RewardMessage:
        return cls(reward.owner, reward.reward_id, reward.status)

    @property
    def ref(self) -> RewardRef:
        return RewardRef(self.owner, self.reward_id)


@dataclass(frozen=True)
class Notice:
    """An email the lifecycle sends once, not before `send_at`: to the referrer who owns
    `code`, to the friend whose claim it is about (`coupon_reminder`), or (`purchase_ask`) to
    a buyer, whose address and language it holds until it is sent. Every kind but the ask is
    about a referral code; an ask names one only when its order was referred (`code` None: an
    order nobody referred)."""

    kind: NoticeKind
    campaign: str
    code: str | None
    send_at: datetime
    friend: str | None = None  # the friend's email key
    order_id: str | None = None
    reward_id: str | None = None  # the reward it tells of (the referrer's, or the friend's coupon)
    buyer: str | None = None  # the buyer's email key (purchase_ask)
    email: str | None = None  # where an ask goes, until it has gone
    lang: str | None = None  # the language it is written in, for an ask
    sent_at: datetime | None = None
    outcome: NoticeOutcome | None = None

    @property
    def notice_id(self) -> str:
        """One per event: a claim, an order, a code reaching its cap or left unshared; and one
        ask per buyer per campaign, ever."""
        if self.kind == "purchase_ask":
            return ask_id(self.campaign, self.buyer or "")
        about = {
            "friend_claimed": self.friend,
            "coupon_reminder": self.friend,
            "order_attributed": self.order_id,
        }.get(self.kind)
        return f"{self.kind}.{self.campaign}.{about or self.code}"


def ask_id(campaign: str, buyer: str) -> str:
    """The one invitation to join `campaign` a buyer (an email key) can ever be sent."""
    return f"purchase_ask.{campaign}.{buyer}"


@dataclass(frozen=True)
class NoticeMessage:
    """Asks the worker to send one notice, if it is due and not sent yet."""

    notice_id: str


QueueMessage = RewardMessage | NoticeMessage


@dataclass(frozen=True)
class Conversion:
    """A referred order and all that recording it writes at once: its rewards, the friend's
    first order in the campaign, its review, its customer markers; and whether its referral
    takes a slot of the code's cap (`cap`, if the campaign has one)."""

    order: Order
    sighting: Sighting
    rewards: tuple[Reward, ...] = ()
    first: FirstOrder | None = None
    takes_slot: bool = False
    cap: int | None = None
    review: Review | None = None
    notices: tuple[Notice, ...] = ()
    # The invitation to join, written unless the buyer was asked in its campaign already.
    ask: Notice | None = None


@dataclass(frozen=True)
class Ruling:
    """The business's decision on an order held for review: which, who made it, when, why."""

    decision: Decision
    by: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class Review:
    """An order held for the business's decision, and the decision once made."""

    conversion_id: str
    order_id: str
    campaign: str
    reason: Reason
    rewards: tuple[RewardRef, ...]
    created_at: datetime
    ruling: Ruling | None = None


@dataclass(frozen=True)
class CustomerMarker:
    """That an identifier of a buyer (as a keyed hash) has been on a paid order."""

    kind: str
    first_seen_at: datetime
    first_email: str  # the email marker of the order that first carried this identifier


@dataclass(frozen=True)
class Sighting:
    """The markers one paid order leaves: keyed hashes by kind (the email's always among
    them), when, and until when they are kept."""

    hashes: Mapping[str, str]
    at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Visit:
    """A visitor's click on a code, counted once a day. Kept: a code's clicks are counted from
    its visits (services.click_counts)."""

    code: str
    campaign: str
    day: date
    visitor: str
    at: datetime
    variant: str | None


# --- what the business reads ------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Clicks, claims and orders of one A/B variant on one day."""

    clicks: int = 0
    claims: int = 0
    orders: int = 0


@dataclass(frozen=True)
class RewardTally:
    """Rewards created on a day that are now in one status: how many, and their value by currency."""

    count: int = 0
    value: Mapping[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignDay:
    """A campaign's counters for one day (UTC), kept up to date as events happen."""

    day: date
    referrers: int = 0  # codes created
    clicks: int = 0
    claims: int = 0
    orders: int = 0  # attributed first orders
    qualified: int = 0
    revenue: Mapping[str, Decimal] = field(default_factory=dict)  # by currency
    rejected: Mapping[str, int] = field(default_factory=dict)  # orders, by reason
    review: Mapping[str, int] = field(default_factory=dict)  # orders held, by reason
    rewards: Mapping[str, RewardTally] = field(default_factory=dict)  # by current status
    hours_to_order: Mapping[int, int] = field(default_factory=dict)  # log2 bucket -> orders
    variants: Mapping[str, Tally] = field(default_factory=dict)
    visitors: Sketch | None = None


@dataclass(frozen=True)
class Ranked:
    """A code as the campaign's `top` index holds it (by rank: orders, then claims)."""

    code: str
    display_name: str | None
    claims: int
    orders: int


@dataclass(frozen=True)
class BoardEntry:
    """A code on its campaign's leaderboard (only codes whose owner opted in are on it)."""

    code: str
    name: str
    claims: int
    orders: int
    rank: int


@dataclass(frozen=True)
class TopReferrer:
    code: str
    display_name: str | None
    clicks: int
    claims: int
    orders: int


@dataclass(frozen=True)
class Referral:
    """A friend's claim as the business sees it: who referred whom, and what came of it."""

    claim: Claim
    referrer: Referrer | None
    first_order: FirstOrder | None = None
    order: Order | None = None
    reward: Reward | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """Part of a long list, and where the next part starts (None at the end)."""

    items: tuple[T, ...]
    next_position: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Fulfilment:
    """That the business has given a reward the kit cannot give by itself."""

    reference: str
    at: datetime
    by: str


@dataclass
class Held:
    """What the table holds about one address, by kind of item (storage.personal.KINDS), and
    the items linked to them (their rewards, coupons and orders as a buyer). The one record
    that carries items as stored: deletion needs their keys, which an export leaves out
    (storage.personal.PersonalStore.shown)."""

    email_key: str
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.items.get(kind, [])

    def add(self, kind: str, found: Iterable[dict[str, Any]]) -> None:
        self.items.setdefault(kind, []).extend(found)

    @property
    def addresses(self) -> set[str]:
        found = self.of("referral_codes") + self.of("claims") + self.of("notices")
        return {str(item["email"]) for item in found if item.get("email")}

    @property
    def empty(self) -> bool:
        return not any(self.items.values())

    @property
    def data_links_from(self) -> int | None:
        """Data links issued before this epoch open nothing: a deletion used one of them. The
        address's unsubscribe, kept after a deletion, records it."""
        found = [int(i["data_links_from"]) for i in self.of("unsubscribes") if i.get("data_links_from")]
        return max(found, default=None)
