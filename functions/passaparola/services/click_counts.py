"""A referral code's clicks, as its referrer, the business's report and the lifecycle emails
read them: the clicks folded on the code's item and its visits of later days (domain.clicks),
folding settled days in when enough of them wait, so that reads stay short."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC

from passaparola.domain import clicks
from passaparola.domain.records import FoldedClicks
from passaparola.services import Clock
from passaparola.services.ports import ClickCounts


@dataclass(frozen=True)
class ClickCounter:
    store: ClickCounts
    clock: Clock

    def clicks(self, code: str, folded: FoldedClicks) -> int:
        """The code's clicks, given what its item holds (`folded`, read with it)."""
        later = self.store.visits_after(code, folded.through)
        fold = clicks.fold(folded, later, self.clock().astimezone(UTC).date())
        if fold is not None:
            # Losing the race to another reader is fine: its fold counted the same visits.
            self.store.fold(code, folded.through, fold)
        return clicks.total(folded, later)

    def of_codes(self, codes: Sequence[str]) -> dict[str, int]:
        """The clicks of several codes whose items were not read (a code that does not exist
        has none)."""
        folded = self.store.folded(codes)
        return {code: self.clicks(code, folded[code]) if code in folded else 0 for code in codes}

    def ever(self, code: str, folded: FoldedClicks) -> bool:
        """Whether the code was ever clicked, reading as little as that takes."""
        return folded.clicks > 0 or self.store.any_visit(code)
