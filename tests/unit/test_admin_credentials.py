"""Who may use the business's routes: machine keys, sessions, sign-in links. Each attack on
them is written as the attack."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from passaparola import wiring
from passaparola.domain.admin import (
    Admin,
    Credentials,
    MachineKeys,
    Sessions,
    public_reward_id,
    reward_ref,
)
from passaparola.domain.campaign import BrandContact, Rules
from passaparola.domain.cursors import Cursors
from passaparola.domain.errors import InvalidInput, NotFound, Unauthorized
from passaparola.domain.records import Owner, RewardRef
from passaparola.domain.tokens import StatsTokens
from tests import fakes
from tests.support import Clock

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
KEY = "ppk_" + "k" * 40
OLD_KEY = "ppk_" + "o" * 40
SESSION_KEY = b"s" * 32


def _credentials(admins=("boss@shop.test",)):
    return Credentials(
        MachineKeys([KEY, OLD_KEY.removeprefix("ppk_")]), Sessions(SESSION_KEY), frozenset(admins)
    )


def test_every_listed_key_works_with_or_without_its_prefix_in_the_secret():
    credentials = _credentials()
    assert credentials.check(f"Bearer {KEY}", NOW) == Admin("key", KEY[:8])
    assert credentials.check(f"bearer {OLD_KEY}", NOW).recorded_as == "key:ppk_oooo"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Basic {KEY}",
        KEY,  # no scheme
        "Bearer ppk_" + "k" * 39,  # one character short
        "Bearer ppk_" + "k" * 41,
        "Bearer PPK_" + "k" * 40,
        "Bearer pps_",
        "Bearer pps_Ym9zcw.9999999999.forged",
    ],
)
def test_anything_but_a_valid_credential_is_unauthorized(authorization):
    with pytest.raises(Unauthorized):
        _credentials().check(authorization, NOW)


def test_a_referrers_stats_token_is_no_admin_credential():
    token = StatsTokens(SESSION_KEY).issue("GIFT-7KQMX2R9P", NOW)  # even one keyed like the sessions
    with pytest.raises(Unauthorized):
        _credentials().check(f"Bearer {token}", NOW)


def test_a_session_works_for_12_hours_and_not_a_second_more():
    session, expires = Sessions(SESSION_KEY).issue("boss@shop.test", NOW)
    assert expires == NOW + timedelta(hours=12)
    credentials = _credentials()
    assert credentials.check(f"Bearer {session}", NOW + timedelta(hours=11, minutes=59)) == Admin(
        "person", "boss@shop.test"
    )
    with pytest.raises(Unauthorized, match="expired"):
        credentials.check(f"Bearer {session}", NOW + timedelta(hours=12))


def test_a_session_with_its_expiry_pushed_back_or_its_email_changed_is_refused():
    session, _ = Sessions(SESSION_KEY).issue("boss@shop.test", NOW)
    who, expires, mac = session.removeprefix("pps_").split(".")
    later = f"pps_{who}.{int(expires) + 86400}.{mac}"
    other = "pps_" + "b3BzQHNob3AudGVzdA" + f".{expires}.{mac}"  # ops@shop.test
    for forged in (later, other, session[:-2]):
        with pytest.raises(Unauthorized):
            _credentials(("boss@shop.test", "ops@shop.test")).check(f"Bearer {forged}", NOW)


def test_a_session_made_with_another_key_is_refused():
    session, _ = Sessions(b"x" * 32).issue("boss@shop.test", NOW)
    with pytest.raises(Unauthorized):
        _credentials().check(f"Bearer {session}", NOW)


def test_a_session_stops_working_when_its_address_leaves_the_admins():
    session, _ = Sessions(SESSION_KEY).issue("boss@shop.test", NOW)
    with pytest.raises(Unauthorized, match="no longer an admin"):
        _credentials(admins=()).check(f"Bearer {session}", NOW)


def test_a_short_key_in_the_secret_is_refused_at_once():
    with pytest.raises(ValueError, match="at least"):
        MachineKeys(["ppk_short"])


def test_reward_ids_for_admins_are_opaque_stable_and_checked():
    ref = RewardRef(Owner.referrer("GIFT-7KQMX2R9P"), "order-1001")
    public = public_reward_id(ref)
    assert public.startswith("rw_")
    assert "GIFT" not in public
    assert public == public_reward_id(ref)
    assert reward_ref(public) == ref
    for garbage in ("rw_", "rw_!!!", "order-1001", public[3:], "rw_" + "c29tZXRoaW5n"):
        with pytest.raises(NotFound):
            reward_ref(garbage)


def test_a_cursor_comes_back_as_it_was_sealed_and_a_tampered_one_is_refused():
    cursors = Cursors(SESSION_KEY)
    position = {"pk": "FRIEND#abc", "sk": "CLAIM#gift", "campaign": "gift", "claimed_at": "2026-03-10"}
    sealed = cursors.seal(position)
    assert cursors.open(sealed) == position
    body, mac = sealed.split(".")
    for tampered in (
        body[:-1] + ("A" if body[-1] != "A" else "B") + "." + mac,
        body,
        "x.y",
        "",
        sealed + ".",
    ):
        with pytest.raises(InvalidInput) as refused:
            cursors.open(tampered)
        assert refused.value.code == "invalid_cursor"
    with pytest.raises(InvalidInput):
        Cursors(b"t" * 32).open(sealed)


# --- signing in, on fakes ---------------------------------------------------------------------


@pytest.fixture
def signing():
    rules = Rules(
        campaigns={},
        brands={"test": BrandContact(name="Test", store_url="https://shop.test/", contact="h@shop.test",
                                     admins=("boss@shop.test",))},
    )  # fmt: skip
    clock = Clock()
    adapters = fakes.Adapters(rules, clock, site_url="https://site.test", api_url="https://site.test")
    asking = wiring.build_link_requests(adapters)
    sender = wiring.build_link_sender(adapters, wiring.build_mail(adapters))

    def ask(email: str, lang: str | None) -> list[bool]:
        """Ask as the route does, then send as the link queue's worker does."""
        asking.ask("sign_in", email, lang)
        return [sender.send(request) for request in adapters.links_asked.take()]

    service = wiring.build_sign_in(adapters, Sessions(SESSION_KEY))
    return ask, service, adapters.sign_ins, adapters.outbox, clock


def _link(email) -> str:
    found = re.search(r"https://site\.test/(\w\w)/admin/#signin=([\w-]+)", email.text)
    assert found, email.text
    return found.group(2)


def test_an_admin_is_mailed_a_link_that_opens_a_session_once(signing):
    ask, service, _, mailer, _ = signing
    assert ask("Boss@Shop.test", "it") == [True]
    (mail,) = mailer.to("boss@shop.test")
    assert "/it/admin/#signin=" in mail.text
    opened = service.redeem(_link(mail))
    assert opened.email == "boss@shop.test"
    assert opened.session.startswith("pps_")
    with pytest.raises(Unauthorized):
        service.redeem(_link(mail))  # the same link again


def test_asking_for_a_non_admin_sends_nothing_and_stores_nothing(signing):
    ask, _, store, mailer, _ = signing
    assert ask("someone@shop.test", None) == [False]
    assert ask("boss@shop.test.evil.example", None) == [False]
    assert mailer.sent == []
    assert store.links == {}


def test_a_link_is_dead_after_15_minutes(signing):
    ask, service, _, mailer, clock = signing
    ask("boss@shop.test", None)
    clock.advance(minutes=15)
    with pytest.raises(Unauthorized):
        service.redeem(_link(mailer.sent[0]))


def test_a_guessed_token_opens_nothing(signing):
    _, service, _, _, _ = signing
    with pytest.raises(Unauthorized):
        service.redeem("A" * 43)
