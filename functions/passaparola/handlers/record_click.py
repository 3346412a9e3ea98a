"""The click recorder: GET /r/{code}."""

from passaparola.api import clicks
from passaparola.api.app import make_app, make_handler

app = make_app(clicks.router)
handler = make_handler(app)
