import pytest

from tests.support import SITE, items_under

pytestmark = pytest.mark.integration


def test_enrolling_creates_a_code_and_emails_the_links(client):
    answer = client.enrol("Anna.Rossi@gmail.com", campaign="gift", name="Anna")
    assert answer.status == 201
    code = answer.body["code"]
    assert code.startswith("GIFT-")
    assert answer.body["share_url"] == f"http://api.test/r/{code}"
    assert answer.body["qr"].startswith("data:image/svg+xml")
    (mail,) = client.outbox()
    assert mail["to"] == ["anna.rossi@gmail.com"]
    assert f"http://api.test/r/{code}" in mail["text"]
    assert f"{SITE}/en/stats/#t={code}." in mail["text"]


def test_the_same_person_always_gets_the_same_code(client):
    first = client.enrol("anna.rossi@gmail.com", campaign="gift")
    again = client.enrol("AnnaRossi+promo@googlemail.com", campaign="gift")
    assert again.body["code"] == first.body["code"]
    assert len(items_under(client.stack, "CODE#", "CODE")) == 1
    other_campaign = client.enrol("anna.rossi@gmail.com", campaign="instant")
    assert other_campaign.status == 201 and other_campaign.body["code"] != first.body["code"]


def test_asking_again_resends_the_welcome_at_most_once_a_day(client, clock):
    """Anyone can type an address into the form: it must not become a way to flood an inbox."""
    for _ in range(3):
        client.enrol("anna@example.com", campaign="gift")
    assert len(client.outbox()) == 1
    clock.advance(hours=23)
    client.enrol("anna@example.com", campaign="gift")
    assert len(client.outbox()) == 1
    clock.advance(hours=1, seconds=1)
    client.enrol("anna@example.com", campaign="gift")
    client.enrol("anna@example.com", campaign="gift")
    assert len(client.outbox()) == 2


def test_the_welcome_is_in_the_chosen_language(client):
    client.call("POST", "/referrers", {"campaign": "gift", "email": "anna@example.com", "locale": "it"})
    (mail,) = client.outbox()
    assert mail["subject"] == "Il tuo link personale per Regala il 10%, ricevi 10 €"
    assert "/it/stats/#t=" in mail["text"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"campaign": "nope", "email": "a@example.com"}, 422, "unknown_campaign"),
        ({"campaign": "paused", "email": "a@example.com"}, 422, "campaign_inactive"),
        ({"campaign": "ended", "email": "a@example.com"}, 422, "campaign_inactive"),
        ({"campaign": "gift", "email": "a@mailinator.com"}, 422, "disposable_email"),
        ({"campaign": "gift", "email": "not-an-email"}, 422, "invalid_input"),
        ({"campaign": "gift", "email": "a@example.com", "name": "me@example.com"}, 422, "invalid_input"),
        ({"campaign": "gift"}, 422, "invalid_request"),
        ({"campaign": 7, "email": "a@example.com"}, 422, "invalid_request"),
    ],
)
def test_bad_enrolments_say_what_is_wrong(client, body, status, error):
    answer = client.call("POST", "/referrers", body)
    assert (answer.status, answer.body["error"]) == (status, error), answer.body
    assert answer.body["message"]
    assert items_under(client.stack, "CODE#") == []
    assert client.outbox() == []


def test_a_referral_code_is_never_reused_even_when_the_random_draw_collides(client, monkeypatch):
    from passaparola.domain import codes

    drawn = iter(["GIFT-BCDFGHJKM", "GIFT-BCDFGHJKM", "GIFT-BCDFGHJKN"])
    monkeypatch.setattr(codes, "new_code", lambda prefix: next(drawn))
    first = client.enrol("anna@example.com", campaign="gift")
    second = client.enrol("marco@example.com", campaign="gift")
    assert first.body["code"] == "GIFT-BCDFGHJKM"
    assert second.body["code"] == "GIFT-BCDFGHJKN"
    owners = {i["code"]: i["email"] for i in items_under(client.stack, "CODE#", "CODE")}
    assert owners == {"GIFT-BCDFGHJKM": "anna@example.com", "GIFT-BCDFGHJKN": "marco@example.com"}
