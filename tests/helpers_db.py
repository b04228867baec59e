"""A database diff for tests: a snapshot of every row of the project's models, compared after
a request, so that "nothing changed" is checked row by row and field by field.

    before = snapshot()
    client.post(url, data)
    assert changes(before, snapshot()) == []

or, for a block: `with unchanged(): client.post(url, data)`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import quote

from django.apps import apps
from django.db import connection, connections
from django.db.models import Model

# Every app holding the platform's data, the audit trail, the users and their devices, and the
# task queue (a refused write must not queue a notification either).
# Sessions are left out: a refused request may still store a message in its session.
SNAPSHOT_APPS = (
    "organisation",
    "cases",
    "meetings",
    "police",
    "reports",
    "accounts",
    "audit",
    "auth",
    "otp_totp",
    "django_tasks_database",
)

Key = tuple[str, str]  # (app_label.model_name, primary key)
Snapshot = dict[Key, str]


def models_in(app_labels: Iterable[str] = SNAPSHOT_APPS) -> list[type[Model]]:
    """The concrete models of the apps, including the tables behind many-to-many fields."""
    labels = set(app_labels)
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and not model._meta.proxy
    ]


def snapshot(app_labels: Iterable[str] = SNAPSHOT_APPS) -> Snapshot:
    """(model, pk) -> a hash of all the row's field values, for every row of the apps."""
    rows: Snapshot = {}
    for model in models_in(app_labels):
        label = model._meta.label_lower
        names = [field.attname for field in model._meta.concrete_fields]
        for values in model._base_manager.order_by().values_list(*names):
            pk = values[names.index(model._meta.pk.attname)]
            digest = hashlib.sha256(repr(values).encode("utf-8")).hexdigest()
            rows[(label, str(pk))] = digest
    return rows


def changes(before: Snapshot, after: Snapshot) -> list[str]:
    """What differs between two snapshots, one line per row: added, deleted or changed."""
    lines = []
    for key in sorted(before.keys() | after.keys()):
        label, pk = key
        if key not in before:
            lines.append(f"added {label}:{pk}")
        elif key not in after:
            lines.append(f"deleted {label}:{pk}")
        elif before[key] != after[key]:
            lines.append(f"changed {label}:{pk}")
    return lines


@contextmanager
def unchanged() -> Iterator[None]:
    """Assert that the block leaves every row of the project's models as it was. Log in
    before the block: a login writes the user's last login and an audit event."""
    before = snapshot()
    yield
    changed = changes(before, snapshot())
    assert not changed, f"the database changed: {changed}"


def at_once(*calls: Callable[[], None]) -> None:
    """Run the calls as concurrently as the database allows.

    On PostgreSQL each call runs in its own thread with its own connection, all released by one
    barrier, so row locks and unique constraints really meet. SQLite (the embedded default)
    serialises every write and cannot share an in-memory test database between threads, so
    there the calls run one after another: the outcome a race-safe, idempotent service must
    give ("one row, one event") is the same, and the test asserts it on both databases.
    """
    if connection.vendor != "postgresql":
        for call in calls:
            call()
        return
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], None]) -> None:
        try:
            barrier.wait()
            call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def shared_database_url() -> str:
    """The test database as a `DATABASE_URL`, for server or worker processes that share it with
    the test (on SQLite the test database is a file: see `settings.py`)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db["USER"] or ""), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(db["HOST"] or ""), safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{host}{port}/{quote(str(db['NAME']), safe='')}"


@contextmanager
def no_deferred_loads() -> Iterator[None]:
    """Fails a read of a column a page left out with `.only()` (issue 11): Django would fetch
    it with a query per row (`refresh_from_db` with that field)."""
    reload = Model.refresh_from_db

    def refuse(
        self: Model, using: str | None = None, fields: object = None, **kwargs: object
    ) -> None:
        if fields:
            raise AssertionError(f"{type(self).__name__}: a deferred column was read: {fields}")
        reload(self, using=using, fields=fields, **kwargs)  # type: ignore[arg-type]

    with patch.object(Model, "refresh_from_db", refuse):
        yield
