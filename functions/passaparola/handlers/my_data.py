"""A person's own data: POST /me/link, GET /me and DELETE /me."""

from passaparola.api import my_data
from passaparola.api.app import make_app, make_handler

app = make_app(my_data.router)
handler = make_handler(app)
