"""A transaction that meets another one on the same item is retried; a failed condition is not."""

import pytest
from botocore.exceptions import ClientError

from passaparola.storage import dynamo

pytestmark = pytest.mark.unit


def cancelled(*codes: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": code} for code in codes],
        },
        "TransactWriteItems",
    )


class FakeClient:
    def __init__(self, *answers: Exception | None) -> None:
        self.answers = list(answers)
        self.calls = 0

    def transact_write_items(self, **_: object) -> dict[str, object]:
        self.calls += 1
        answer = self.answers.pop(0)
        if answer is not None:
            raise answer
        return {}


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> tuple[dynamo.Table, FakeClient]:
    fake = FakeClient()
    monkeypatch.setattr(dynamo.Table, "client", property(lambda self: fake))
    monkeypatch.setattr(dynamo.time, "sleep", lambda seconds: None)
    return dynamo.Table("t"), fake


def transaction(table: dynamo.Table) -> dynamo.Transaction:
    return table.transaction().put("a", {"pk": "A", "sk": "A"}).put("b", {"pk": "B", "sk": "B"})


def test_a_conflict_is_retried_until_it_goes_through(table):
    store, fake = table
    fake.answers = [cancelled("TransactionConflict", "None"), cancelled("None", "TransactionConflict"), None]
    transaction(store).run()
    assert fake.calls == 3


def test_a_failed_condition_is_not_retried_and_says_which(table):
    store, fake = table
    fake.answers = [cancelled("None", "ConditionalCheckFailed")]
    with pytest.raises(dynamo.Cancelled) as raised:
        transaction(store).run()
    assert fake.calls == 1
    assert raised.value.failed("b")
    assert not raised.value.failed("a")


def test_endless_conflicts_give_up(table):
    store, fake = table
    fake.answers = [cancelled("TransactionConflict", "None")] * 10
    with pytest.raises(dynamo.Cancelled) as raised:
        transaction(store).run()
    assert raised.value.conflict
    assert fake.calls == 4
