"""Links by email to the address typed: a console sign-in link, or a person's data link.

The route and the worker split the work so the answer cannot tell whom the kit knows. The
route (`LinkRequests`) checks the address and queues one message, the same call for every
address; the worker (`LinkSender`) then looks the address up and, only if it is an admin's or
one the kit holds anything about, writes the token and sends the email (README, "Privacy").
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from passaparola import i18n
from passaparola.domain import emails
from passaparola.domain.link_requests import LinkKind, LinkRequest

if TYPE_CHECKING:
    # The routes ask; only the worker sends, and imports the emails' modules.
    from passaparola.services.my_data import DataLinks
    from passaparola.services.ports import LinkQueue
    from passaparola.services.sign_in import SignInLinks


@dataclass(frozen=True)
class LinkRequests:
    queue: LinkQueue

    def ask(self, kind: LinkKind, email: str, lang: str | None) -> None:
        """Queue a link for the address, whatever it is: InvalidInput if it is none."""
        language = lang if lang in i18n.LANGUAGES else i18n.DEFAULT
        self.queue.send(LinkRequest(kind, emails.clean(email), language, uuid.uuid4().hex))


@dataclass(frozen=True)
class LinkSender:
    sign_in: SignInLinks
    data: DataLinks

    def send(self, request: LinkRequest) -> bool:
        """Whether a link went out: only to an address the kind of link is for."""
        links = self.sign_in if request.kind == "sign_in" else self.data
        return links.send(request.address, request.language)
