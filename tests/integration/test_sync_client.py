"""The desktop side's transport: errors sorted transient/permanent, TLS verified against the
site's CA bundle, the site's proxy (never the environment's), the token file's mode, and no
server framework imported by the desktop app. Everything listens on 127.0.0.1."""

import http.server
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from app.paths import DataPaths
from app.sync.client import NetworkError, Rejected, SyncClient
from app.sync.credentials import load_token, save_token, token_file
from tests.conftest import REPO_ROOT
from tests.sync_helpers import free_port

HELLO = {"protocol_min": 1, "protocol_max": 1, "server": "t", "unit": {"id": "u"}, "user": "x"}


class Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        Handler.seen.append((self.requestline, self.headers.get("Authorization", "")))
        path = self.path.split("?")[0]
        if path.endswith("/hello"):
            self._answer(200, json.dumps(HELLO).encode())
        elif path.endswith("/pull"):
            self._answer(503, b"busy")
        else:
            self._answer(404, json.dumps({"error": "not_found", "message": "平台上没有"}).encode())

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


def serve(context: ssl.SSLContext | None = None) -> tuple[http.server.HTTPServer, int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, int(server.server_address[1])


@pytest.fixture
def plain() -> Iterator[int]:
    Handler.seen = []
    server, port = serve()
    yield port
    server.shutdown()


def test_network_errors_and_5xx_are_transient_4xx_permanent(plain: int) -> None:
    client = SyncClient(f"http://127.0.0.1:{plain}", "tok", timeout=(2, 5))
    assert client.hello()["user"] == "x"
    with pytest.raises(NetworkError):
        client.pull(0, 10)  # 503
    with pytest.raises(Rejected) as refused:
        client.blob_status("0" * 64)
    assert refused.value.status == 404 and refused.value.message == "平台上没有"
    with pytest.raises(NetworkError):
        SyncClient(f"http://127.0.0.1:{free_port()}", "tok", timeout=(2, 5)).hello()
    client.close()


def test_the_site_proxy_is_used_and_the_environment_proxy_ignored(
    plain: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    client = SyncClient("http://platform.invalid", "secret", proxy=f"http://127.0.0.1:{plain}")
    assert client.hello()["server"] == "t"
    line, auth = Handler.seen[-1]
    assert line.startswith("GET http://platform.invalid/api/v1/hello") and auth == "Bearer secret"
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{plain}")
    with pytest.raises(NetworkError):  # no site proxy: the environment's is not used
        SyncClient("http://platform.invalid", "secret", timeout=(2, 5)).hello()


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 made with the openssl CLI."""
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem")
    )
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=Xianjie Test CA",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca, cert, key


@pytest.mark.skipif(not Path("/usr/bin/openssl").exists(), reason="openssl CLI not installed")
def test_tls_is_verified_against_the_site_ca_bundle(tmp_path: Path) -> None:
    ca, cert, key = _certificates(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server, port = serve(context)
    try:
        trusted = SyncClient(f"https://127.0.0.1:{port}", "tok", ca_bundle=ca, timeout=(2, 5))
        assert trusted.hello()["user"] == "x"
        with pytest.raises(Rejected) as refused:
            SyncClient(f"https://127.0.0.1:{port}", "tok", timeout=(2, 5)).hello()
        assert refused.value.code == "tls" and "证书" in refused.value.message
    finally:
        server.shutdown()


def test_the_token_file_is_readable_by_the_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIANJIE_NO_KEYRING", "1")
    paths = DataPaths(tmp_path / "data")
    old = os.umask(0)
    try:
        where = save_token(paths, "https://p/api/v1", "s3cret")
    finally:
        os.umask(old)
    assert where == str(token_file(paths))
    assert token_file(paths).stat().st_mode & 0o777 == 0o600
    assert load_token(paths, "https://p/api/v1") == "s3cret"


def test_the_desktop_sync_imports_no_server_framework() -> None:
    code = (
        "import sys, app.sync.engine, app.sync.setup, app.commands.sync, app.sync.wire;"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'fastapi', 'pydantic', 'starlette', 'uvicorn', 'central'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    )
    assert done.stdout.strip() == "[]"
