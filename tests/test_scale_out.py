"""Two application servers behind one database behave as one (issue 11, item 7).

The test starts a local S3-compatible object store (moto's server mode, on 127.0.0.1, no network)
and two gunicorn servers as processes of their own, in production mode (DEBUG off, their own keys,
the S3 settings from the environment) on the test database. A meeting attachment uploaded through
server A is downloaded through server B with the same bytes, and a login lockout made on A holds on
B. Neither server writes anything under its own SSP_VAR_DIR: the state is in the database and the
bucket.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import User
from moto.server import ThreadedMotoServer

from ssp.meetings.models import Attachment, Meeting, MeetingStatus, Visibility
from ssp.organisation.models import Municipality
from tests.helpers_db import shared_database_url

ROOT = Path(__file__).resolve().parents[1]
SSP_SOURCE = ROOT / "ssp"
REGION = "eu-north-1"
S3_ACCESS_KEY = "test-access-key"
S3_SECRET_KEY = "test-secret-key"  # a key for the local test store only
SERVER_SECRET_KEY = "a-secret-key-shared-by-both-test-servers-only"
PASSWORD = "demo"
STARTUP_SECONDS = 40
TIMEOUT = 20
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Variables of the test run that must not leak into the servers' production-mode environment.
NOT_PASSED_ON = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_", "SSP_", "AWS_", "TASKS_")


@dataclass
class ObjectStore:
    endpoint_url: str
    bucket: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
        )

    def object_names(self) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=self.bucket)
        return [item["Key"] for item in listing.get("Contents", [])]


@dataclass
class Server:
    url: str
    var_dir: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def no_proxy_for_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Requests to the local servers never go through a proxy configured for the machine."""
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name, "")
        monkeypatch.setenv(name, ",".join(filter(None, [current, "127.0.0.1", "localhost"])))


@pytest.fixture
def object_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[ObjectStore]:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    no_proxy_for_localhost(monkeypatch)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        # moto keeps its buckets per process: a bucket of its own for each test.
        store = ObjectStore(endpoint_url=f"http://{host}:{port}", bucket=f"ssp-{uuid.uuid4().hex}")
        store.client().create_bucket(
            Bucket=store.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield store
    finally:
        server.stop()


def server_environment(store: ObjectStore, var_dir: Path) -> dict[str, str]:
    inherited = {
        name: value for name, value in os.environ.items() if not name.startswith(NOT_PASSED_ON)
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "ssp.settings",
        "DEBUG": "0",
        "SECRET_KEY": SERVER_SECRET_KEY,
        # The keys the test data was written with, so that both servers read it as this run does.
        "SSP_FIELD_KEY": settings.SSP_FIELD_KEY,
        "SSP_AUDIT_KEY": settings.SSP_AUDIT_KEY,
        "DATABASE_URL": shared_database_url(),
        "SSP_VAR_DIR": str(var_dir),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP here; in production TLS ends at the proxy and these stay on.
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SSP_S3_BUCKET": store.bucket,
        "SSP_S3_ENDPOINT_URL": store.endpoint_url,
        "SSP_S3_REGION": REGION,
        "SSP_S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
        "SSP_S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        "SSP_S3_ADDRESSING_STYLE": "path",
    }


def start_server(name: str, store: ObjectStore, tmp_path: Path) -> Server:
    var_dir = tmp_path / f"var-{name}"
    var_dir.mkdir()
    log = tmp_path / f"server-{name}.log"
    port = free_port()
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - gunicorn with fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "ssp.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--graceful-timeout",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=server_environment(store, var_dir),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Server(url=f"http://127.0.0.1:{port}", var_dir=var_dir, log=log, process=process)


def wait_until_ready(server: Server, deadline: float) -> None:
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server {server.url} exited at start:\n{server.log_tail()}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    pytest.fail(f"server {server.url} did not answer /healthz in time:\n{server.log_tail()}")


def stop(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture
def servers(
    transactional_db: None, demo: Municipality, object_store: ObjectStore, tmp_path: Path
) -> Iterator[tuple[Server, Server]]:
    """Servers A and B; started together, always stopped (before the test database is emptied)."""
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(start_server(name, object_store, tmp_path))
        deadline = time.monotonic() + STARTUP_SECONDS
        for server in started:
            wait_until_ready(server, deadline)
        yield started[0], started[1]
    finally:
        for server in started:
            stop(server)


def use_production_password_hashes(*usernames: str) -> None:
    """The demo's passwords are hashed with the tests' fast hasher, which the servers (in
    production mode) do not accept: hash them with the production hasher."""
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    User.objects.filter(username__in=usernames).update(password=encoded)


def csrf_token(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text[:500]
    match = CSRF_FIELD.search(page.text)
    assert match is not None, f"no CSRF token on {url}"
    return match.group(1)


def log_in(browser: requests.Session, server: Server, username: str, password: str) -> Any:
    token = csrf_token(browser, f"{server.url}/konto/login/")
    return browser.post(
        f"{server.url}/konto/login/",
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "password": password,
            "next": "",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def local_files(server: Server) -> list[Path]:
    return [path for path in server.var_dir.rglob("*") if path.is_file()]


def attachment_content() -> bytes:
    """A text attachment of a few MB, so the download streams in many chunks and the storage
    spills it to a temporary file on the way (above 2 MB)."""
    line = "Referat af mødet i lokalgruppen Øst: aftener ved klubben og sommerferien.\n"
    return (line * 40_000).encode("utf-8")


def test_two_servers_on_one_database_and_one_bucket_behave_as_one(
    servers: tuple[Server, Server], object_store: ObjectStore
) -> None:
    server_a, server_b = servers
    use_production_password_hashes("koordinator", "laerer")
    an_attachment_uploaded_through_a_is_downloaded_through_b(server_a, server_b, object_store)
    a_lockout_made_on_a_holds_on_b(server_a, server_b)
    # Neither server wrote a file of its own: the state is in the database and the bucket.
    assert local_files(server_a) == [] and local_files(server_b) == []


def an_attachment_uploaded_through_a_is_downloaded_through_b(
    server_a: Server, server_b: Server, object_store: ObjectStore
) -> None:
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status=MeetingStatus.PLANNED)
    content = attachment_content()
    browser = requests.Session()

    logged_in = log_in(browser, server_a, "koordinator", PASSWORD)
    assert logged_in.status_code == 302, server_a.log_tail()
    token = csrf_token(browser, f"{server_a.url}/moeder/{meeting.pk}/")
    uploaded = browser.post(
        f"{server_a.url}/moeder/{meeting.pk}/punkter/",
        data={
            "csrfmiddlewaretoken": token,
            "title": "Plan for sommerferien",
            "description": "",
            "visibility": Visibility.INTERNAL,
        },
        files={"attachment": ("plan.txt", content, "text/plain")},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert uploaded.status_code == 302, uploaded.text[:2000] + server_a.log_tail()

    attachment = Attachment.objects.get(item__meeting=meeting, item__title="Plan for sommerferien")
    assert attachment.name == "plan.txt"
    assert attachment.file.name in object_store.object_names()
    acl = object_store.client().get_object_acl(Bucket=object_store.bucket, Key=attachment.file.name)
    grantees = {grant["Grantee"].get("URI", "") for grant in acl["Grants"]}
    assert not any(uri.endswith(("/AllUsers", "/AuthenticatedUsers")) for uri in grantees)

    # Server B knows the session made on A (sessions are in the database) and reads the file
    # from the bucket.
    url = f"{server_b.url}/moeder/{meeting.pk}/bilag/{attachment.pk}/"
    downloaded = browser.get(url, timeout=TIMEOUT)
    assert downloaded.status_code == 200, server_b.log_tail()
    assert downloaded.content == content
    assert 'filename="plan.txt"' in downloaded.headers["Content-Disposition"]

    # Without the session, B answers as for anybody not logged in: no file.
    anonymous = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    assert anonymous.status_code == 302 and "/konto/login/" in anonymous.headers["Location"]


def a_lockout_made_on_a_holds_on_b(server_a: Server, server_b: Server) -> None:
    guesser = requests.Session()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        refused = log_in(guesser, server_a, "laerer", "forkert-kodeord")
        assert refused.status_code in {200, 429}
    assert AccessAttempt.objects.get(username="laerer").failures_since_start >= (
        settings.AXES_FAILURE_LIMIT
    )

    # The right password, on the other server: still locked (the attempts are in the database).
    on_b = log_in(guesser, server_b, "laerer", PASSWORD)
    assert on_b.status_code == 429, server_b.log_tail()
    assert "sessionid" not in on_b.cookies
    home = guesser.get(f"{server_b.url}/", allow_redirects=False, timeout=TIMEOUT)
    assert home.status_code == 302 and "/konto/login/" in home.headers["Location"]

    # B is not refusing logins as such: the coordinator logs in there.
    other = log_in(requests.Session(), server_b, "koordinator", PASSWORD)
    assert other.status_code == 302, server_b.log_tail()


def test_sessions_lockouts_and_rate_limits_are_kept_in_the_database() -> None:
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


def test_no_code_keeps_state_in_a_local_cache_or_on_local_disk() -> None:
    """Uploads go through the default storage (a bucket when configured), and nothing uses the
    per-process cache, which two servers would not share (use Django's DatabaseCache if one is
    ever needed)."""
    forbidden = ("django.core.cache", "FileSystemStorage", "MEDIA_ROOT", "LocMemCache")
    offenders = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in SSP_SOURCE.rglob("*.py")
        if path.name != "settings.py"
        for word in forbidden
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
