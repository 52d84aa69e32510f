"""SANE through a worker process: pages stream in as the worker saves them.

The worker (``sane_worker``) is a child process; if the driver crashes it, or someone kills
it, the caller gets :class:`~app.documents.errors.ScanWorkerDied` after the pages that had
already arrived, and carries on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from app.documents.errors import ScanWorkerDied
from app.documents.scanners import DeviceInfo, ScannedPage, ScanRequest
from app.documents.scanners.common import STATUS_MESSAGES, scan_error

WORKER_MODULE = "app.documents.scanners.sane_worker"
"""Run as ``python -m`` from source; the frozen app's entry runs it for ``xianjie -m``."""


class SaneScanner:
    """The SANE backend behind the :class:`~app.documents.scanners.Scanner` interface."""

    def __init__(self, python: str = sys.executable, env: dict[str, str] | None = None) -> None:
        self.python = python
        self.env = env
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()

    @property
    def worker_pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def devices(self) -> list[DeviceInfo]:
        done = subprocess.run(
            [self.python, "-m", WORKER_MODULE, "--list-devices"],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            raise scan_error("no_driver", lines[-1] if lines else "")
        return [DeviceInfo(*map(str, row)) for row in json.loads(done.stdout)]

    def cancel(self) -> None:
        """Stop the scan; pages already saved stay on disk."""
        self._cancelled.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def scan(self, request: ScanRequest, out_dir: Path) -> Iterator[ScannedPage]:
        # stderr to a file, not a pipe: driver debug output can never block the worker
        with tempfile.TemporaryFile() as errors:
            yield from self._scan(request, out_dir, errors)

    def _scan(
        self, request: ScanRequest, out_dir: Path, errors: IO[bytes]
    ) -> Iterator[ScannedPage]:
        out_dir.mkdir(parents=True, exist_ok=True)
        self._cancelled.clear()
        env = dict(self.env if self.env is not None else os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        proc = subprocess.Popen(
            [self.python, "-m", WORKER_MODULE, str(out_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self._proc = proc
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps(request.to_dict()))
            proc.stdin.close()
        except BrokenPipeError:
            pass
        finished = False
        try:
            for line in proc.stdout:
                if self._cancelled.is_set():
                    break
                try:
                    event: dict[str, Any] = json.loads(line)
                except ValueError:
                    continue  # not ours: the worker keeps the driver off this channel
                if "page" in event:
                    p = event["page"]
                    yield ScannedPage(
                        p["index"], Path(p["path"]), p["width"], p["height"], p["dpi"], p["mode"]
                    )
                elif "error" in event:
                    finished = True
                    raise scan_error(event["error"], event.get("detail", ""))
                elif "done" in event:
                    finished = True
        finally:
            if proc.poll() is None and not finished:
                proc.kill()
            code = proc.wait()
            errors.seek(0)
            stderr = errors.read()[-2000:].decode("utf-8", "replace")
            proc.stdout.close()
            self._proc = None
        if not finished:
            if self._cancelled.is_set():
                return
            raise ScanWorkerDied(
                STATUS_MESSAGES["worker_died"],
                status="worker_died",
                detail=f"退出码 {code}" + (f"：{stderr.strip()[-200:]}" if stderr.strip() else ""),
            )
