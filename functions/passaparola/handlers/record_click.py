"""The click recorder: GET /r/{code}, a Lambda function URL behind CloudFront.

Unlike the HTTP API's functions, it does not check CloudFront's secret origin header
(api/origin.py): the function URL's auth type is AWS_IAM, and only the distribution's origin
access control, signing each request as CloudFront, is allowed to invoke it. A request that
did not come through CloudFront never reaches this code, so CloudFront-Viewer-Address is
CloudFront's own.

It imports only what one redirect and one conditional PutItem need: no pydantic, no powertools
event handler (api/clicks.py answers the function URL's event itself), and no campaign models
(the compact click rules, domain/click_rules.py). A test checks it in a fresh interpreter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# What the first click builds (wiring.click_recorder), imported with the function, in its
# init phase, rather than during the first visitor's request.
import passaparola.services.clicks
import passaparola.storage.click_rules
import passaparola.storage.clicks  # noqa: F401
from passaparola.api import clicks
from passaparola.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return clicks.answer(event)
