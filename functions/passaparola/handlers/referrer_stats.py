"""The referrer's private stats: GET /referrers/me."""

from passaparola.api import stats
from passaparola.api.app import make_app, make_handler

app = make_app(stats.router)
handler = make_handler(app)
