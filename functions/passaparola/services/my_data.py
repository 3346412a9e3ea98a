"""A person sees, downloads and deletes what the kit holds about them (README, "Your data").

Asking for the link answers the same whatever the address (services/link_requests.py), and
the link goes only to an address the kit holds something about: whether it does is not for
whoever types an address to learn. The data link (an hour) opens the export and the deletion;
a referrer's stats link, which every reward email carries for months, opens the export alone.
Both name the address by its key.

A data link deletes once: when the deletion it asked for is done, it and every data link
issued before it open nothing (401), so a link left in a mailbox cannot be replayed. A deletion
a failure cut short did not close it: the same link finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from passaparola.domain.campaign import Rules
from passaparola.domain.customers import MarkerKeys
from passaparola.domain.emails import PersonKeys
from passaparola.domain.errors import InvalidToken
from passaparola.domain.records import Held
from passaparola.domain.tokens import DataLink, DataTokens, StatsTokens
from passaparola.mail import catalogue
from passaparola.services import Clock, Links
from passaparola.services.mail import Mail
from passaparola.services.ports import MarkerStore, PersonalStore, ReferrerStore

_USED = "this link was used to delete your data, and opens nothing any more; ask for a new one"
MARKERS_NOTE = (
    "Fraud checks keep keyed hashes (HMAC with a secret pepper, never the values) of the "
    "email, customer id, address and card of paid orders, to recognise a returning customer; "
    "each expires a set time after the last order that carried it and is kept after deletion. "
    "Only the email's can be found from the address."
)


@dataclass(frozen=True)
class Deleted:
    deleted: int
    kept: int


@dataclass(frozen=True)
class DataLinks:
    """The link queue's worker side: mails a data link, to an address the kit knows only."""

    rules: Rules
    store: PersonalStore
    mail: Mail
    data_tokens: DataTokens
    person_keys: PersonKeys
    links: Links
    clock: Clock

    def send(self, address: str, language: str) -> bool:
        """Whether the kit holds anything about the address, and so sent it a link."""
        key = self.person_keys.of(address)
        held = self.store.find(key, list(self.rules.campaigns))
        if held.empty:
            return False
        campaigns = [i["campaign"] for i in held.of("referral_codes") + held.of("claims")]
        campaign = self.rules.campaign(campaigns[0]) if campaigns else None
        brands = self.rules.brands
        brand = brands[campaign.rules.brand] if campaign else next(iter(brands.values()))
        self.mail.mailer.send(
            catalogue.data_link(
                to=address,
                lang=language,
                letterhead=self.mail.letterhead(brand),
                url=self.links.my_data(language, self.data_tokens.issue(key, self.clock())),
                minutes=int(self.data_tokens.lifetime.total_seconds() // 60),
            )
        )
        return True


@dataclass(frozen=True)
class MyData:
    rules: Rules
    store: PersonalStore
    referrers: ReferrerStore
    markers: MarkerStore
    data_tokens: DataTokens
    stats_tokens: StatsTokens
    # Read on first use: only the export needs the markers' keys.
    marker_keys: Callable[[], MarkerKeys]
    person_keys: PersonKeys
    clock: Clock

    def export(self, token: str) -> dict[str, Any]:
        """What the data link, or a referrer's stats link, opens: read only."""
        now = self.clock()
        if DataTokens.is_one(token):
            link = self.data_tokens.read(token, now)
            held = self._open(link)
        else:
            held = self.store.find(self._referrer_key(token), self._campaigns)
        # Every address found has the key's identity, so one marker stands for them all.
        addresses = sorted(held.addresses)
        marker = {"email": self.marker_keys().email(addresses[0])} if addresses else {}
        found = self.markers.find(marker) if marker else {}
        return {
            "exported_at": self.clock().isoformat(timespec="seconds"),
            "addresses": addresses,
            "items": {
                kind: [_json(item) for item in items] for kind, items in self.store.shown(held).items()
            },
            "fraud_markers": {"email": len(found), "note": MARKERS_NOTE},
        }

    def delete(self, token: str) -> Deleted:
        """Everything under the address goes, but the money records, which stay without it.
        Only a data link deletes (a stats link is InvalidToken), and once: done, it is closed.
        Until then, deleting again finds what a failure left and finishes."""
        if not DataTokens.is_one(token):
            raise InvalidToken("only the link emailed on request deletes; ask for one on the data page")
        now = self.clock()
        link = self.data_tokens.read(token, now)
        held = self._open(link)
        gone = self.store.erase(held, now)
        self.store.close_links(held.email_key, link.issued_at + 1)
        return Deleted(deleted=gone, kept=sum(len(items) for items in held.items.values()) - gone)

    def _open(self, link: DataLink) -> Held:
        # A link mailed by the previous release names the address by its previous key.
        held = self.store.find(self.person_keys.current(link.email_key), self._campaigns)
        if link.closed_by(held.data_links_from):
            raise InvalidToken(_USED)
        return held

    def _referrer_key(self, token: str) -> str:
        """The address key of the referrer a stats link was issued to."""
        link = self.stats_tokens.verify(token, self.clock())
        referrer = self.referrers.get(link.code)
        if referrer is None or link.revoked_by(referrer.links_valid_from):
            raise InvalidToken("this link no longer opens anything; ask for a new one")
        return referrer.email_key

    @property
    def _campaigns(self) -> Sequence[str]:
        return list(self.rules.campaigns)


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_json(v) for v in value)
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value
