import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from passaparola.domain.errors import InvalidSignature
from passaparola.domain.signatures import Verifier, sign

pytestmark = pytest.mark.unit

SECRET = "whsec_" + base64.b64encode(b"k" * 24).decode()
OTHER = "whsec_" + base64.b64encode(b"o" * 24).decode()
BODY = b'{"order_id":"1","email":"a@example.com","amount":"10","currency":"EUR"}'


def test_the_spec_formula_is_what_we_check():
    """HMAC-SHA256 of "id.timestamp.body" with the base64-decoded secret, base64 encoded."""
    now = datetime.now(UTC)
    stamp = str(int(now.timestamp()))
    digest = hmac.new(b"k" * 24, f"msg_1.{stamp}.".encode() + BODY, hashlib.sha256).digest()
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }
    assert Verifier([SECRET]).verify(BODY, headers) == "msg_1"
    assert sign(BODY, "msg_1", now, SECRET) == headers


def test_header_names_are_case_insensitive():
    headers = {k.upper(): v for k, v in sign(BODY, "m", datetime.now(UTC), SECRET).items()}
    assert Verifier([SECRET]).verify(BODY, headers) == "m"


@pytest.mark.parametrize(("skew", "reason"), [(-301, "past"), (301, "future")])
def test_timestamps_more_than_five_minutes_off_are_refused(skew, reason):
    headers = sign(BODY, "m", datetime.now(UTC) + timedelta(seconds=skew), SECRET)
    with pytest.raises(InvalidSignature, match=reason):
        Verifier([SECRET]).verify(BODY, headers)


@pytest.mark.parametrize("skew", [-280, 280])
def test_timestamps_within_five_minutes_pass(skew):
    headers = sign(BODY, "m", datetime.now(UTC) + timedelta(seconds=skew), SECRET)
    assert Verifier([SECRET]).verify(BODY, headers) == "m"


def test_a_tampered_body_is_refused():
    headers = sign(BODY, "m", datetime.now(UTC), SECRET)
    with pytest.raises(InvalidSignature, match="no signature matches"):
        Verifier([SECRET]).verify(BODY.replace(b'"10"', b'"1000"'), headers)


def test_a_changed_id_is_refused():
    headers = sign(BODY, "m", datetime.now(UTC), SECRET) | {"webhook-id": "replayed"}
    with pytest.raises(InvalidSignature):
        Verifier([SECRET]).verify(BODY, headers)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused(missing):
    headers = sign(BODY, "m", datetime.now(UTC), SECRET)
    del headers[missing]
    with pytest.raises(InvalidSignature, match="missing"):
        Verifier([SECRET]).verify(BODY, headers)


@pytest.mark.parametrize("garbage", ["v1", "v1,", "v1,!!!notbase64", "nonsense", "v1,a,b"])
def test_malformed_signatures_are_refused_not_crashed_on(garbage):
    headers = sign(BODY, "m", datetime.now(UTC), SECRET) | {"webhook-signature": garbage}
    with pytest.raises(InvalidSignature):
        Verifier([SECRET]).verify(BODY, headers)


def test_any_of_several_v1_signatures_passes():
    now = datetime.now(UTC)
    good = sign(BODY, "m", now, SECRET)
    wrong = sign(BODY, "m", now, OTHER)["webhook-signature"]
    headers = good | {"webhook-signature": f"v2,abc {wrong} {good['webhook-signature']}"}
    assert Verifier([SECRET]).verify(BODY, headers) == "m"


def test_rotation_accepts_the_old_and_the_new_secret():
    verifier = Verifier([OTHER, SECRET])
    for secret in (SECRET, OTHER):
        assert verifier.verify(BODY, sign(BODY, "m", datetime.now(UTC), secret)) == "m"


def test_a_secret_we_do_not_hold_is_refused():
    with pytest.raises(InvalidSignature):
        Verifier([SECRET]).verify(BODY, sign(BODY, "m", datetime.now(UTC), OTHER))
