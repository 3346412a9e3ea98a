"""The store's signed webhooks: POST /conversions and POST /refunds."""

from passaparola.api import store
from passaparola.api.app import make_app, make_handler

app = make_app(store.router)
handler = make_handler(app, gate=store.verify)
