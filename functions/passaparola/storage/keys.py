"""The single-table key layout. README's "Storage" section documents the same table."""

from __future__ import annotations

from datetime import date

from passaparola.domain.records import Owner, RewardRef

DUE_INDEX = "due"
DUE = "DUE"
# Sparse indexes the business's routes read (README, "Storage").
TOP_INDEX = "top"  # referral codes by rank, per campaign (top_pk, rank)
BOARD_INDEX = "board"  # opted-in referral codes by rank, per campaign (board_pk, rank)
BY_CAMPAIGN_INDEX = "by_campaign"  # claims by campaign and time (campaign, claimed_at)
WAITING_INDEX = "waiting"  # what waits for the business (waiting_pk, waiting_sk)
FULFIL = "FULFIL"  # issued rewards the business gives itself, until it has
REVIEW = "REVIEW"  # orders held for review, until decided
_CODE = "CODE#"
VISIT = "VISIT#"
ORDER = "ORDER#"
_FRIEND = "FRIEND#"
# Sort-key prefixes of what a query under one code or one friend finds.
CLAIM = "CLAIM#"
CONVERTED = "CONVERTED#"
REWARD = "REWARD#"
LISTED = "FRIEND#"  # under a code: the friends who claimed through it, by time


def code_pk(code: str) -> str:
    return f"{_CODE}{code}"


def code(code: str) -> dict[str, str]:
    return {"pk": code_pk(code), "sk": "CODE"}


def listed_friend(code: str, claimed_at: str, email_key: str) -> dict[str, str]:
    """A friend in the list kept under the code they claimed through, oldest first."""
    return {"pk": code_pk(code), "sk": f"{LISTED}{claimed_at}#{email_key}"}


def listed_friend_parts(sk: str) -> tuple[str, str]:
    """The claim's time (as stored) and the friend's key that a listed friend's sort key names."""
    claimed_at, _, email_key = sk.removeprefix(LISTED).rpartition("#")
    return claimed_at, email_key


def board_pk(campaign: str) -> str:
    return f"BOARD#{campaign}"


def enrolment(campaign: str, email_key: str) -> dict[str, str]:
    return {"pk": f"ENROL#{campaign}#{email_key}", "sk": "ENROL"}


# A code's visits are spread over this many partition keys, by visitor: a key takes 1,000
# writes a second, so a code takes 8,000 counted clicks a second before one throttles.
VISIT_SHARDS = 8


def visit_pk(code: str, shard: int) -> str:
    return f"{VISIT}{code}#{shard}"


def visit(code: str, day: date, visitor: str) -> dict[str, str]:
    """One visitor's visit of one day: the same visitor the same day is the same key (the
    click's condition dedupes on it). Visitor ids are hex hashes, so their first digits spread
    a code's visitors evenly over its shards."""
    return {"pk": visit_pk(code, int(visitor[:8], 16) % VISIT_SHARDS), "sk": visit_sk(day) + visitor}


def visit_sk(day: date) -> str:
    """Where a day's visits begin under each of a code's shards (they sort by day)."""
    return f"{VISIT}{day.isoformat()}#"


def visit_parts(pk: str, sk: str) -> tuple[str, date, str]:
    """The code, day and visitor a visit's key names."""
    code = pk.removeprefix(VISIT).rpartition("#")[0]
    day, visitor = sk.removeprefix(VISIT).split("#")
    return code, date.fromisoformat(day), visitor


def visit_day(sk: str) -> date:
    return date.fromisoformat(sk.removeprefix(VISIT).partition("#")[0])


def friend_pk(email_key: str) -> str:
    return f"{_FRIEND}{email_key}"


def friend_of(pk: str) -> str:
    return pk.removeprefix(_FRIEND)


def claim(email_key: str, campaign: str) -> dict[str, str]:
    return {"pk": friend_pk(email_key), "sk": f"{CLAIM}{campaign}"}


def refusal(email_key: str, campaign: str) -> dict[str, str]:
    """When an address was last told that a campaign's offer is not for it."""
    return {"pk": friend_pk(email_key), "sk": f"REFUSED#{campaign}"}


def converted(email_key: str, campaign: str) -> dict[str, str]:
    """Marks that a friend's first order in a campaign has been counted."""
    return {"pk": friend_pk(email_key), "sk": f"{CONVERTED}{campaign}"}


def order(order_id: str) -> dict[str, str]:
    return {"pk": f"{ORDER}{order_id}", "sk": "ORDER"}


def owner_pk(owner: Owner) -> str:
    """A reward lives under its owner (a referral code or a friend), so one query lists them."""
    return code_pk(owner.id) if owner.kind == "referrer" else friend_pk(owner.id)


def owner_of(pk: str) -> Owner:
    if pk.startswith(_CODE):
        return Owner.referrer(pk.removeprefix(_CODE))
    if pk.startswith(_FRIEND):
        return Owner.friend(pk.removeprefix(_FRIEND))
    raise ValueError(f"no reward owner lives under {pk!r}")


def reward(ref: RewardRef) -> dict[str, str]:
    return {"pk": owner_pk(ref.owner), "sk": f"{REWARD}{ref.reward_id}"}


def reward_reference(ref: RewardRef) -> str:
    """How an order or a review names one of its rewards."""
    return f"{owner_pk(ref.owner)}|{ref.reward_id}"


def parse_reward_reference(text: str) -> RewardRef:
    pk, reward_id = text.split("|", 1)
    return RewardRef(owner_of(pk), reward_id)


def coupon(coupon_code: str) -> dict[str, str]:
    return {"pk": f"COUPON#{coupon_code}", "sk": "COUPON"}


def issued_on(platform: str, reference: str) -> dict[str, str]:
    """What a platform made for a reward (a credit, an order), held by that one reward."""
    return {"pk": f"ISSUED#{platform}#{reference}", "sk": "ISSUED"}


def marker(kind: str, keyed_hash: str) -> dict[str, str]:
    """A customer marker: one identifier of a buyer, as a keyed hash (never the value)."""
    return {"pk": f"MARKER#{kind}#{keyed_hash}", "sk": "MARKER"}


def review(conversion_id: str) -> dict[str, str]:
    return {"pk": f"REVIEW#{conversion_id}", "sk": "REVIEW"}


def limit(route: str, client: str, window_start: int) -> dict[str, str]:
    """One client's requests to one route in one fixed window (expires soon after it)."""
    return {"pk": f"LIMIT#{route}#{client}#{window_start}", "sk": "LIMIT"}


NOTICE = "NOTICE#"


def notice(notice_id: str) -> dict[str, str]:
    """A lifecycle email to send once (in the `due` index until it is sent or skipped)."""
    return {"pk": f"{NOTICE}{notice_id}", "sk": "NOTICE"}


def digest(email_key: str, day: date) -> dict[str, str]:
    """That an admin was sent the digest of a day (their address only as its key)."""
    return {"pk": f"DIGEST#{email_key}", "sk": f"DAY#{day.isoformat()}"}


def opt_out(email_key: str) -> dict[str, str]:
    """The campaigns an address has unsubscribed from, under its key (no address is kept)."""
    return {"pk": f"OPTOUT#{email_key}", "sk": "OPTOUT"}


def stats_day(campaign: str, day: str) -> dict[str, str]:
    """A campaign's counters for one day (written by the counters' stream consumer)."""
    return {"pk": stats_pk(campaign), "sk": f"DAY#{day}"}


def stats_pk(campaign: str) -> str:
    return f"STATS#{campaign}"


def rollup_checkpoint(batch: str) -> dict[str, str]:
    """How far the counters have taken one batch of the table's stream (expires after it)."""
    return {"pk": f"ROLLUP#{batch}", "sk": "ROLLUP"}


def sign_in(digest: str) -> dict[str, str]:
    """A sign-in link, by the digest of its token."""
    return {"pk": f"SIGNIN#{digest}", "sk": "SIGNIN"}


def waiting_sk(campaign: str, moment: str) -> str:
    """Oldest first within a campaign, so a campaign's share of the list is one key range."""
    return f"{campaign}#{moment}"
