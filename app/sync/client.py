"""The HTTP client for the platform: one requests Session with timeouts, TLS verified against
the site's CA bundle, the site's proxy (never the environment's), the device token and the
protocol header on every request.

Failures are sorted for the engine: :class:`NetworkError` (no answer, a cut connection, a 5xx)
is transient and retried later; :class:`Rejected` (a 4xx) is permanent; please-upgrade and a
refused token are :class:`Rejected` with the server's Chinese message.
"""

import socket
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection

from app.errors import UserError
from app.sync.wire import (
    API_PREFIX,
    IDEMPOTENCY_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    BlobStatus,
    Change,
    Hello,
    PullPage,
    PushResponse,
    ReferenceItem,
)

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 60.0
SEND_BUFFER = 1024 * 1024
"""SO_SNDBUF of the client's connections. Set explicitly, it turns off the kernel's send buffer
autotuning (which on loopback grows it to ``tcp_wmem``'s maximum, several MiB); Linux doubles
the value (the effective size, bookkeeping included, is at most 2 MiB), Windows and macOS take
it as it is. Bytes in this buffer when the connection is reset are lost: with the platform's
receive buffer and what it holds in memory this bounds what an interrupted upload sends again
(docs/sync-protocol.md, Attachments: below one chunk)."""
SOCKET_OPTIONS: list[tuple[int, int, int]] = [
    *HTTPConnection.default_socket_options,
    (socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER),
]
"""Options of every connection of the session (applied before connecting)."""


class SyncError(UserError):
    """Sync could not finish; what is saved locally stays and is sent next time."""


class NetworkError(SyncError):
    """Transient: the platform did not answer properly (network, timeout, 5xx)."""


class Rejected(SyncError):
    """Permanent: the platform refused the request (4xx)."""

    def __init__(self, message: str, *, status: int, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class _Body:
    """A request body of known length sent block by block (the file is never whole in memory):
    requests takes the Content-Length from ``len()`` and hands each block to the socket as it
    is produced."""

    def __init__(self, blocks: Iterable[bytes], length: int) -> None:
        self.blocks = blocks
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.blocks)


class _Adapter(HTTPAdapter):
    """requests' adapter with :data:`SOCKET_OPTIONS` on direct and proxied connections (small
    JSON requests do not mind the bounded send buffer)."""

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        pool_kwargs.setdefault("socket_options", SOCKET_OPTIONS)
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs.setdefault("socket_options", SOCKET_OPTIONS)
        return super().proxy_manager_for(proxy, **proxy_kwargs)


def api_base(url: str) -> str:
    """The platform URL with the API prefix exactly once and no trailing slash."""
    url = url.rstrip("/")
    return url if url.endswith(API_PREFIX) else url + API_PREFIX


class SyncClient:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        ca_bundle: Path | None = None,
        proxy: str | None = None,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
    ) -> None:
        self.base = api_base(url)
        self.timeout = timeout
        self.session = requests.Session()
        for prefix in ("https://", "http://"):
            self.session.mount(prefix, _Adapter())
        self.session.trust_env = False  # proxies and CA come from the site config only
        self.session.verify = str(ca_bundle) if ca_bundle else True
        if proxy:
            self.session.proxies = {"http": proxy, "https": proxy}
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        )

    def close(self) -> None:
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(
                method, self.base + path, timeout=self.timeout, **kwargs
            )
        except requests.exceptions.SSLError as exc:
            raise Rejected(
                "无法验证平台的证书（TLS），请检查站点配置中的 CA 证书", status=0, code="tls"
            ) from exc
        except requests.RequestException as exc:
            raise NetworkError(
                "无法连接平台，修改已保存在本机，网络恢复后会自动发送", detail=str(exc)
            ) from exc
        if response.status_code >= 500:
            raise NetworkError(f"平台暂时无法处理请求（HTTP {response.status_code}），稍后会重试")
        if response.status_code >= 400 and response.status_code != 409:
            raise self._rejected(response)
        return response

    @staticmethod
    def _rejected(response: requests.Response) -> Rejected:
        try:
            body = response.json()
            message, code = str(body["message"]), str(body.get("error", ""))
        except (ValueError, KeyError, TypeError):
            message, code = f"平台拒绝了请求（HTTP {response.status_code}）", ""
        return Rejected(message, status=response.status_code, code=code)

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise NetworkError("平台的回答不完整，稍后会重试") from exc

    def hello(self) -> Hello:
        return cast(Hello, self._json(self._request("GET", "/hello")))

    def push(self, changes: list[Change], key: str) -> PushResponse:
        response = self._request(
            "POST", "/push", json={"changes": changes}, headers={IDEMPOTENCY_HEADER: key}
        )
        if response.status_code == 409:
            raise NetworkError("同一推送正在处理，稍后会重试")
        return cast(PushResponse, self._json(response))

    def pull(self, cursor: int, limit: int) -> PullPage:
        response = self._request("GET", "/pull", params={"cursor": cursor, "limit": limit})
        return cast(PullPage, self._json(response))

    def blob_status(self, sha256: str) -> BlobStatus:
        return cast(BlobStatus, self._json(self._request("GET", f"/blobs/{sha256}/status")))

    def put_blob(
        self, sha256: str, offset: int, size: int, body: Iterable[bytes], length: int
    ) -> BlobStatus | None:
        """Send the content from ``offset`` (``length`` bytes, streamed block by block from
        ``body`` in one request); None when the server expects another offset (ask for the
        status). An interrupted request leaves on the server what arrived of it."""
        response = self._request(
            "PUT",
            f"/blobs/{sha256}",
            params={"offset": offset, "size": size},
            data=_Body(body, length) if length else b"",
            headers={"Content-Type": "application/octet-stream"},
        )
        if response.status_code == 409:
            if self._json(response).get("error") == "offset":
                return None
            raise self._rejected(response)
        return cast(BlobStatus, self._json(response))

    def download(self, sha256: str) -> Iterator[bytes]:
        """The content of an attachment, streamed."""
        response = self._request("GET", f"/blobs/{sha256}", stream=True)
        try:
            yield from response.iter_content(1024 * 1024)
        except requests.RequestException as exc:
            raise NetworkError("下载附件时网络中断，稍后会重试", detail=str(exc)) from exc
        finally:
            response.close()

    def reference_list(self) -> list[ReferenceItem]:
        return cast(list[ReferenceItem], self._json(self._request("GET", "/reference")))

    def reference(self, name: str, etag: str | None) -> tuple[bytes | None, str | None]:
        """A reference-data file, or None when the ETag still matches (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._request("GET", f"/reference/{name}", headers=headers)
        if response.status_code == 304:
            return None, etag
        return response.content, response.headers.get("ETag")
