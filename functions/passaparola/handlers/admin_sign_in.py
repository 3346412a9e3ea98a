"""People's sign-in to the console: POST /admin/sign-in and POST /admin/sessions."""

from passaparola.api import sign_in
from passaparola.api.app import make_app, make_handler

app = make_app(sign_in.router)
handler = make_handler(app)
