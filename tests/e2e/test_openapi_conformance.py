"""schemathesis against the running local stack: every answer matches the OpenAPI document
(status codes, content types, bodies), and no generated request gets a 5xx."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from passaparola.handlers.api_docs import document

pytestmark = pytest.mark.integration

schema = schemathesis.openapi.from_dict(json.loads(document()))


def test_the_served_document_is_the_one_tested(local_stack):
    status, _, raw = local_stack.get("/openapi.json")
    assert status == 200
    assert json.loads(raw) == json.loads(document())


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_is_documented(case, local_stack):
    # Business rules answer 422 to requests the schema alone cannot refuse (an unknown code,
    # a self-referral, a throwaway address): that is the contract, documented per route.
    case.call_and_validate(base_url=local_stack.url, timeout=30, excluded_checks=[positive_data_acceptance])
