"""What routes are handed: each service, declared with powertools' `Depends` on a wiring
factory, so a test can hand a route its fake with `app.dependency_overrides[factory] = ...`.

    def enrol(body: EnrolRequest, enrolment: EnrolmentDep, limit: EnrolLimitDep) -> ...

powertools reads these annotations at run time (typing.get_type_hints), where only the
`Depends` counts. The services' own types are named for mypy alone: at run time they stand
as `object`, so a function imports a service's module when a route first needs it, not at
cold start (wiring's factories import what they build).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler import Depends

from passaparola import wiring

if TYPE_CHECKING:
    from passaparola.services.admin import Fulfilments, Referrals, Reports, ReviewQueue
    from passaparola.services.claims import Claims
    from passaparola.services.codes import CodeValidator
    from passaparola.services.enrolment import Enrolment
    from passaparola.services.limits import AddressRateLimiter, RateLimiter
    from passaparola.services.link_requests import LinkRequests
    from passaparola.services.mail import Unsubscribes
    from passaparola.services.my_data import MyData
    from passaparola.services.reviews import Reviews
    from passaparola.services.sign_in import SignIn
    from passaparola.services.stats import Stats
else:
    Fulfilments = Referrals = Reports = ReviewQueue = Claims = CodeValidator = Enrolment = object
    AddressRateLimiter = RateLimiter = Unsubscribes = MyData = Reviews = SignIn = Stats = object
    LinkRequests = object


# Each route's own count (a zero-argument factory each, so a test can override one alone).
def enrol_limit() -> RateLimiter:
    return wiring.rate_limit("enrol")


def claim_limit() -> RateLimiter:
    return wiring.rate_limit("claim")


def code_limit() -> RateLimiter:
    return wiring.rate_limit("code")


def data_link_limit() -> RateLimiter:
    return wiring.rate_limit("me")


def sign_in_limit() -> RateLimiter:
    return wiring.rate_limit("sign-in")


# Per address typed, on the routes that mail it a link.
def data_link_address_limit() -> AddressRateLimiter:
    return wiring.address_limit("me")


def sign_in_address_limit() -> AddressRateLimiter:
    return wiring.address_limit("sign-in")


EnrolLimitDep = Annotated[RateLimiter, Depends(enrol_limit)]
ClaimLimitDep = Annotated[RateLimiter, Depends(claim_limit)]
CodeLimitDep = Annotated[RateLimiter, Depends(code_limit)]
DataLinkLimitDep = Annotated[RateLimiter, Depends(data_link_limit)]
SignInLimitDep = Annotated[RateLimiter, Depends(sign_in_limit)]
DataLinkAddressLimitDep = Annotated[AddressRateLimiter, Depends(data_link_address_limit)]
SignInAddressLimitDep = Annotated[AddressRateLimiter, Depends(sign_in_address_limit)]

EnrolmentDep = Annotated[Enrolment, Depends(wiring.enrolment)]
ClaimsDep = Annotated[Claims, Depends(wiring.claims)]
CodeValidatorDep = Annotated[CodeValidator, Depends(wiring.code_validator)]
MyDataDep = Annotated[MyData, Depends(wiring.my_data)]
LinkRequestsDep = Annotated[LinkRequests, Depends(wiring.link_requests)]
StatsDep = Annotated[Stats, Depends(wiring.stats)]
UnsubscribesDep = Annotated[Unsubscribes, Depends(wiring.unsubscribes)]
SignInDep = Annotated[SignIn, Depends(wiring.sign_in)]
ReportsDep = Annotated[Reports, Depends(wiring.reports)]
ReferralsDep = Annotated[Referrals, Depends(wiring.referrals)]
FulfilmentsDep = Annotated[Fulfilments, Depends(wiring.fulfilments)]
ReviewQueueDep = Annotated[ReviewQueue, Depends(wiring.review_queue)]
ReviewsDep = Annotated[Reviews, Depends(wiring.reviews)]
