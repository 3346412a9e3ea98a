"""Enrolment and claims: POST /referrers and POST /claims."""

from passaparola.api import referrers
from passaparola.api.app import make_app, make_handler

app = make_app(referrers.router)
handler = make_handler(app)
