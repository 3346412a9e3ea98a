"""One-click unsubscribe: POST /unsubscribe/{token}, from a mail client or the page."""

from passaparola.api import unsubscribe
from passaparola.api.app import make_app, make_handler

app = make_app(unsubscribe.router)
handler = make_handler(app, body=unsubscribe.one_click_body)
