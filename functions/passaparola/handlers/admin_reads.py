"""The business's reads, for admins only: the report, referrals, rewards to fulfil, reviews waiting."""

from passaparola.api import admin_reads
from passaparola.api.admin_auth import admin_gate
from passaparola.api.app import make_app, make_handler

app = make_app(admin_reads.router)
handler = make_handler(app, gate=admin_gate())
