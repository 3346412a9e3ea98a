import pytest

pytestmark = pytest.mark.integration


def test_path_of_one_referral(client):
    enrolled = client.enrol("anna.rossi@gmail.com")
    assert enrolled.status == 201, enrolled.body
    code = enrolled.body["code"]
    click = client.call("GET", f"/r/{code}")
    assert click.status == 302, click.body
    print(click.headers)
    checked = client.call("GET", f"/codes/{code}")
    assert checked.status == 200, checked.body
    print(checked.body)
    claimed = client.claim(code, "marco@example.com")
    assert claimed.status == 201, claimed.body
    print(claimed.body)
    converted = client.convert("1001", "marco@example.com")
    assert converted.status == 202, converted.body
    print(converted.body)
    print(client.run_worker())
    print(client.outbox())
