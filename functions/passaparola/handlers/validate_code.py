"""The code validator: GET /codes/{code}."""

from passaparola.api import codes
from passaparola.api.app import make_app, make_handler

app = make_app(codes.router)
handler = make_handler(app)
