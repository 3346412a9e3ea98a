"""The business's actions: fulfilling a reward (admins), deciding a review (admins, or the shop signed)."""

from passaparola.api import admin_actions
from passaparola.api.admin_auth import admin_gate
from passaparola.api.app import make_app, make_handler

app = make_app(admin_actions.router)
handler = make_handler(app, gate=admin_gate(or_else=admin_actions.shop_signed))
