"""The counters, rolled up from the table's stream exactly once.

The event source mapping hands the function a batch of stream records from one shard, and on
any failure hands it the same batch again, from the same first record, until it succeeds.
Lambda's event does not name the shard, but that first record names the batch: the
checkpoint is kept under it, written in the same transaction as each chunk of counter
updates, so a retried batch skips what an earlier attempt added and adds the rest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from passaparola.domain import counters
from passaparola.domain.counters import StreamChange, Target
from passaparola.domain.records import Visit
from passaparola.services.ports import RollupStore

# A transaction takes at most 100 items, and one of them is the checkpoint.
MAX_TARGETS = 99


@dataclass(frozen=True)
class CounterRollup:
    store: RollupStore

    def roll_up(self, batch: str, changes: Sequence[StreamChange]) -> int:
        """Add `changes` (one batch, named `batch`) to the counters; how many were new."""
        stored = self.store.checkpoint(batch)
        pending = [c for c in changes if stored is None or c.sequence > stored]
        clicked = {c.change.new.code for c in pending if isinstance(c.change.new, Visit)}
        counted = self.store.counted_codes(clicked) if clicked else set()
        for chunk in _chunks(pending, counted):
            stored = self._count(batch, stored, chunk, counted)
        return len(pending)

    def _count(
        self, batch: str, stored: int | None, chunk: list[StreamChange], counted: set[str]
    ) -> int | None:
        """Count one chunk, moving the batch's checkpoint from `stored`; where it is after."""
        while True:
            fresh = [c for c in chunk if stored is None or c.sequence > stored]
            deltas = counters.deltas((c.change for c in fresh), counted)
            if not deltas:
                return stored  # nothing (more) to count: a reward's other fields changed, say
            if self.store.apply(batch, stored, fresh[-1].sequence, deltas):
                return fresh[-1].sequence
            # Another run of this batch moved the checkpoint: count only what it did not.
            stored = self.store.checkpoint(batch)


def _chunks(changes: Sequence[StreamChange], counted: set[str]) -> Iterator[list[StreamChange]]:
    """Runs of changes whose counters fit in one transaction."""
    chunk: list[StreamChange] = []
    targets: set[Target] = set()
    for change in changes:
        touched = counters.deltas([change.change], counted).targets
        if chunk and len(targets | touched) > MAX_TARGETS:
            yield chunk
            chunk, targets = [], set()
        chunk.append(change)
        targets |= touched
    if chunk:
        yield chunk
