"""One Logger and one Metrics per function (service name from POWERTOOLS_SERVICE_NAME).

Custom metrics are kept for what the counters cannot tell (PLAN.md, "Counters"): a click that
could not be written (ClickNotCounted), a refused signature (SignatureRefused), and the
rewards the release schedule queued (RewardsReleased). Clicks, claims, orders, rejections and
rewards by status are in the counters, rolled up from the table's stream, at no charge per
series. Each metric series (name and dimension values: here the `service` dimension, one per
function) is billed as one custom metric in every month it is emitted, so a dimension with
more values is more series, not fewer.
"""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics(namespace="Passaparola")

# Most requests have no metric to publish (a counted click, say); that is the point.
warnings.filterwarnings("ignore", message="No application metrics to publish")
