"""The daily digest schedule: emails each brand's admins yesterday's figures."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passaparola import wiring
from passaparola.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    sent = wiring.daily_digest().send()
    logger.info("daily digest", extra={"sent": sent})
    return {"sent": sent}
