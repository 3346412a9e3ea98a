"""The local server as clients meet it: bursts of connections, and methods a path does not declare."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.e2e


def test_a_burst_of_50_concurrent_posts_is_answered_without_a_reset(local_stack):
    start = threading.Barrier(50)

    def enrol(n):
        start.wait()  # all 50 connect at once, as a script or a busy page would
        return local_stack.post("/referrers", {"campaign": "club", "email": f"burst{n}@example.com"})

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(enrol, range(50)))
    assert [status for status, _ in answers] == [201] * 50
    assert len({body["code"] for _, body in answers}) == 50


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/referrers"),
        ("GET", "/claims"),
        ("PUT", "/conversions"),
        ("POST", "/codes/CLUB-BCDFGHJKM"),
        ("PATCH", "/openapi.json"),
        ("POST", "/"),
    ],
)
def test_a_method_a_path_does_not_declare_is_a_json_404_as_an_http_api_answers(local_stack, method, path):
    request = urllib.request.Request(
        local_stack.url + path,
        method=method,
        data=None if method == "GET" else b"{}",
        headers={"content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=30)
    assert raised.value.code == 404
    assert raised.value.headers["content-type"] == "application/json"
    body = json.loads(raised.value.read())
    assert body["error"] == "not_found"
    assert body["message"]
