"""Domain exceptions. The API layer maps each class to an HTTP status in one place."""

from __future__ import annotations

from passaparola.domain.vocabulary import ErrorCode, InvalidCodeReason


class DomainError(Exception):
    """Base class. `code` is the stable, machine-readable error name sent to clients; each
    subclass names its own."""

    code: ErrorCode

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """The request is well-formed JSON but a value is not acceptable."""

    code = "invalid_input"


class UnknownCampaign(DomainError):
    code = "unknown_campaign"


class CodeNotValid(DomainError):
    """A referral code that cannot be used, and why (vocabulary.InvalidCodeReason)."""

    code = "invalid_code"

    def __init__(self, reason: InvalidCodeReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SelfReferral(DomainError):
    code = "self_referral"


class RejectedEmail(DomainError):
    """An email address refused by an open fraud rule (for example a disposable domain)."""

    code = "rejected_email"


class InvalidSignature(DomainError):
    code = "invalid_signature"


class Unauthorized(DomainError):
    """No valid admin credential: the same answer whatever was wrong with it."""

    code = "unauthorized"


class InvalidToken(DomainError):
    code = "invalid_token"


class NotFound(DomainError):
    code = "not_found"


class Busy(DomainError):
    """The same request is being processed right now; the caller should retry."""

    code = "in_progress"


class NotFulfillable(DomainError):
    """A reward that is not (or no longer) waiting for the business to give it."""

    code = "not_fulfillable"


class Conflict(DomainError):
    """A write lost a race it cannot recover from by retrying here."""

    code = "conflict"


class CampaignClosed(DomainError):
    """The campaign exists but is paused, not started yet, or over."""

    code = "campaign_inactive"


class RateLimited(DomainError):
    """One client sent more requests to a route than its limit allows in the current window."""

    code = "rate_limited"

    def __init__(self, retry_after: int, whose: str = "from your network") -> None:
        super().__init__(f"too many requests {whose}; try again in {retry_after} s")
        self.retry_after = retry_after
