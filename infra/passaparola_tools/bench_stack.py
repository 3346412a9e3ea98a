"""The stack the request benchmarks run on: the template's tables, queues and secrets on moto,
the rules of the sample content, and the functions' environment in this process."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.queues
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from passaparola.domain.campaign import Rules
from passaparola_build import paths
from passaparola_localstack.provision import Stack

SENDER = "a@b.test"


@contextlib.contextmanager
def moto(where: str) -> Iterator[None]:
    """moto in this process (its work shares the CPU and its caches with the handler), or in a
    process of its own on loopback (closer to DynamoDB, which is never in the function)."""
    if where == "in-process":
        from moto import mock_aws

        os.environ.pop("AWS_ENDPOINT_URL", None)
        with mock_aws():
            yield
        return
    context = multiprocessing.get_context("spawn")
    ready: multiprocessing.queues.Queue[str] = context.Queue()
    server = context.Process(target=_serve_moto, args=(ready,), daemon=True)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = ready.get(timeout=60)
    try:
        yield
    finally:
        server.terminate()
        server.join()
        os.environ.pop("AWS_ENDPOINT_URL", None)


def _serve_moto(ready: multiprocessing.queues.Queue[str]) -> None:
    from passaparola_localstack import motoserver

    server = motoserver.start()
    ready.put(server.url)
    threading.Event().wait()


@contextlib.contextmanager
def provisioned(where: str, edit: Callable[[Rules], Rules] = lambda rules: rules) -> Iterator[Stack]:
    """The stack on moto `where`, its functions' environment set here; `edit` changes the
    sample content's rules first (the timing bench adds admins)."""
    from passaparola import wiring
    from passaparola.storage import aws, secret_store
    from passaparola_build.rules import build_rules
    from passaparola_localstack.provision import provision

    fake = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(fake)
    with tempfile.TemporaryDirectory() as folder, moto(where):
        aws.reset()  # clients remember their endpoint; each setup needs its own
        secret_store.forget()
        wiring.reset()
        rules = Path(folder) / "rules.json"
        build_rules(paths.CONTENT, rules)
        rules.write_text(
            edit(Rules.model_validate_json(rules.read_bytes())).model_dump_json(), encoding="utf-8"
        )
        stack = provision({"SiteUrl": "http://site.test", "ApiUrl": "http://api.test", "MailFrom": SENDER})
        os.environ.update(stack.union_environment() | {"RULES_PATH": str(rules)})
        aws.reset()
        wiring.reset()
        aws.client("ses").verify_email_identity(EmailAddress=SENDER)
        yield stack
