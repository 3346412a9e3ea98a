"""The click recorder: GET /r/{code}, a Lambda function URL behind CloudFront.

Unlike the HTTP API's functions, it does not check CloudFront's secret origin header
(api/origin.py): the function URL's auth type is AWS_IAM, and only the distribution's origin
access control, signing each request as CloudFront, is allowed to invoke it. A request that
did not come through CloudFront never reaches this code, so CloudFront-Viewer-Address is
CloudFront's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver

from passaparola.api import clicks, errors
from passaparola.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

app = LambdaFunctionUrlResolver()
app.include_router(clicks.router)
errors.install(app)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
