"""PySide6's embedded support modules: their bytecode is kept between starts, nothing else is.

The import tests run in a fresh interpreter each (this one has PySide6 loaded already, and
the cache only acts on the first import of PySide6).
"""

import ast
import json
import marshal
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.ui.bytecode_cache import (
    _CHECKSUM_BYTES,
    STALE_AFTER_S,
    _CachedCompile,
    _checksum,
    cache_folder,
    support_bytecode_cached,
)

ROOT = Path(__file__).resolve().parents[2]

_IMPORT = r"""
import builtins, json, sys
from pathlib import Path
compiled = []
real_compile = builtins.compile
def counting(source, filename, *args, **kwargs):
    compiled.append(str(filename))
    return real_compile(source, filename, *args, **kwargs)
builtins.compile = counting
from app.ui.bytecode_cache import support_bytecode_cached
with support_bytecode_cached(Path(sys.argv[1])):
    from PySide6.QtCore import QObject
builtins.compile = real_compile
# the signature machinery the bytecode came from still works: it writes this message
try:
    QObject().setObjectName(12345)
    message = ""
except TypeError as exc:
    message = str(exc)
print(json.dumps({"compiled": compiled, "message": message}))
"""


def _import_pyside(cache: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(cache)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _support(names: list[str]) -> list[str]:
    return [n for n in names if n.startswith(("signature_bootstrap", "shibokensupport/"))]


def test_second_import_compiles_no_support_module(tmp_path: Path) -> None:
    first = _import_pyside(tmp_path)
    assert len(_support(first["compiled"])) >= 5  # PySide6 compiled them from source
    files = sorted(p.name for p in cache_folder(tmp_path).iterdir())
    assert len(files) == len(_support(first["compiled"]))

    second = _import_pyside(tmp_path)
    assert _support(second["compiled"]) == []  # every one came from the cache
    assert "Supported signatures" in first["message"]
    assert second["message"] == first["message"]  # the support modules' work, as before
    assert sorted(p.name for p in cache_folder(tmp_path).iterdir()) == files


def test_damaged_file_is_compiled_again_and_replaced(tmp_path: Path) -> None:
    _import_pyside(tmp_path)
    victim = sorted(cache_folder(tmp_path).iterdir())[0]
    victim.write_bytes(b"\x00not marshal data")

    again = _import_pyside(tmp_path)
    assert len(_support(again["compiled"])) == 1  # only the damaged one
    assert victim.read_bytes() != b"\x00not marshal data"
    assert _support(_import_pyside(tmp_path)["compiled"]) == []


def test_cache_in_a_file_instead_of_a_folder_still_imports(tmp_path: Path) -> None:
    """A cache folder that cannot be made (here a file is in its way; a read-only home
    gives the same error) only means compiling, as PySide6 always does."""
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    result = _import_pyside(blocker)
    assert _support(result["compiled"])
    assert blocker.read_text() == "a file where the cache folder should be"


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(args)
        return compile(*args, **kwargs)


def test_only_support_files_without_flags_are_cached(tmp_path: Path) -> None:
    recorder = _Recorder()
    cached = _CachedCompile(tmp_path, recorder)
    cached("x = 1", "app/other.py", "exec")
    cached("x = 1", "shibokensupport/x.py", "exec", ast.PyCF_ONLY_AST)  # a flag
    assert list(tmp_path.iterdir()) == []
    assert len(recorder.calls) == 2

    code = cached("x = 1", "shibokensupport/x.py", "exec")
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    assert namespace["x"] == 1
    assert len(list(tmp_path.iterdir())) == 1


def test_changed_source_is_compiled_and_old_entries_pruned_after_a_month(
    tmp_path: Path,
) -> None:
    first = _CachedCompile(tmp_path, compile)
    first("x = 1", "shibokensupport/x.py", "exec")
    first("y = 2", "shibokensupport/y.py", "exec")
    first("z = 2", "shibokensupport/z.py", "exec")
    assert len(list(tmp_path.iterdir())) == 3
    month_old = time.time() - STALE_AFTER_S - 60
    y_old, z_old = (
        next(p for p in tmp_path.iterdir() if _load_name(p) == name) for name in ("y", "z")
    )
    os.utime(y_old, (month_old, month_old))  # z_old stays recent: another install's, maybe

    recorder = _Recorder()
    second = _CachedCompile(tmp_path, recorder)
    second("x = 1", "shibokensupport/x.py", "exec")  # same: from the cache
    code = second("y = 3", "shibokensupport/y.py", "exec")  # a newer PySide6's source
    assert len(recorder.calls) == 1
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    assert namespace["y"] == 3
    second.prune()
    assert not y_old.exists()  # unused and a month old
    assert z_old.exists()  # unused but recent
    assert len(list(tmp_path.iterdir())) == 3  # x, the new y, z


def _load_name(path: Path) -> str:
    """The name the cached module assigns (the tests' sources are one assignment each)."""
    code = marshal.loads(path.read_bytes()[_CHECKSUM_BYTES:])
    return str(code.co_names[0])


def test_a_flipped_bit_is_caught_before_marshal_reads_it(tmp_path: Path) -> None:
    cached = _CachedCompile(tmp_path, compile)
    cached("x = 1", "shibokensupport/x.py", "exec")
    (entry,) = tmp_path.iterdir()
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0x01  # inside the marshal data, past the checksum
    entry.write_bytes(bytes(data))

    recorder = _Recorder()
    code = _CachedCompile(tmp_path, recorder)("x = 1", "shibokensupport/x.py", "exec")
    assert len(recorder.calls) == 1  # compiled again, and the file replaced
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    assert namespace["x"] == 1
    assert entry.read_bytes() != bytes(data)


def test_cached_code_is_checked_against_its_file_name(tmp_path: Path) -> None:
    cached = _CachedCompile(tmp_path, compile)
    cached("x = 1", "shibokensupport/x.py", "exec")
    (entry,) = tmp_path.iterdir()
    body = marshal.dumps(compile("x = 666", "elsewhere.py", "exec"))
    entry.write_bytes(_checksum(body) + body)  # a sound file, for another module

    recorder = _Recorder()
    code = _CachedCompile(tmp_path, recorder)("x = 1", "shibokensupport/x.py", "exec")
    assert len(recorder.calls) == 1
    assert code.co_filename == "shibokensupport/x.py"


def test_does_nothing_once_pyside_is_loaded(tmp_path: Path) -> None:
    import builtins

    import PySide6  # noqa: F401  (pytest-qt has loaded it already)

    before = builtins.compile
    with support_bytecode_cached(tmp_path):
        assert builtins.compile is before
    assert not (tmp_path / "pyside-support").exists()
