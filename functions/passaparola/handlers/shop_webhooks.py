"""The shop's webhooks: its Standard Webhooks calls (POST /conversions and POST /refunds) and its
platform's own (POST /integrations/stripe, /shopify and /woocommerce), each route behind the
checks of its kind."""

from functools import partial

from passaparola.api import errors, integrations, shop_webhooks, signed_calls
from passaparola.api.app import make_app, make_handler

app = make_app(shop_webhooks.router, integrations.router)
handler = make_handler(
    app,
    body=partial(
        errors.json_body, refuse=integrations.for_platforms(integrations.refuse_body, errors.refuse_body)
    ),
    gate=integrations.for_platforms(integrations.verify, signed_calls.verify),
)
