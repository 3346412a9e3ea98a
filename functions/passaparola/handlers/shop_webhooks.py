"""The shop's signed webhooks: POST /conversions, POST /refunds and POST /reviews/{conversion_id}."""

from passaparola.api import shop_webhooks
from passaparola.api.app import make_app, make_handler

app = make_app(shop_webhooks.router)
handler = make_handler(app, gate=shop_webhooks.verify)
