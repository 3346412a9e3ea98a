"""A request for a link by email (a console sign-in, or a person's data), as it waits on the
link queue between the route that took it and the worker that sends the link.

The route queues one for every address typed, known or not, and answers: whether the address
is an admin's, or one the kit holds anything about, is looked up by the worker, after the
answer, so the answer's time cannot tell (README, "Privacy").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

LinkKind = Literal["sign_in", "data"]


@dataclass(frozen=True)
class LinkRequest:
    kind: LinkKind
    address: str  # as emails.clean gives it
    language: str  # one of i18n.LANGUAGES
    # One per request the route took: a redelivery of its message sends no second link.
    request_id: str
