"""One Logger and one Metrics per function (service name from POWERTOOLS_SERVICE_NAME)."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace="Passaparola")

# Some requests (a 404, the OpenAPI document) have no business metric; that is not a problem.
warnings.filterwarnings("ignore", message="No application metrics to publish")
