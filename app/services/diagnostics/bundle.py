"""The zip being assembled: its members and sections, the result, the README and the
atomic write."""

import hashlib
import json
import os
import zipfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import StorageError, UserError

from .redaction import Scrubber


@dataclass(frozen=True)
class Section:
    """One part of the zip: its member names, and the reason when it failed."""

    name: str
    title: str  # Chinese
    ok: bool
    members: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True)
class DiagnosticsResult:
    path: Path
    size: int
    sha256: str
    created_at: str
    sections: list[Section]

    @property
    def problems(self) -> list[Section]:
        return [s for s in self.sections if not s.ok]

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "created_at": self.created_at,
            "complete": not self.problems,
            "sections": [asdict(s) for s in self.sections],
        }


class SectionProblem(Exception):
    """A section that was collected but found a problem (a damaged database, a failed
    selftest): its members are kept and the problem is reported."""

    def __init__(self, message: str, members: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.members = members


class _Bundle:
    """The members collected so far (text, already scrubbed) and what each section did."""

    def __init__(self, scrub: Scrubber) -> None:
        self.scrub = scrub
        self.members: dict[str, bytes] = {}
        self.sections: list[Section] = []

    def text(self, name: str, text: str) -> str:
        self.members[name] = self.scrub(text).encode("utf-8")
        return name

    def json(self, name: str, data: Any) -> str:
        return self.text(name, json.dumps(data, ensure_ascii=False, indent=2, default=str))

    def section(self, name: str, title: str, collect: Callable[[], list[str]]) -> None:
        try:
            members = collect()
        except SectionProblem as problem:
            error = self.scrub(problem.message)
            self.sections.append(Section(name, title, False, problem.members, error))
        except Exception as exc:  # a section reports its failure; the zip is still written
            reason = exc.message if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            error = self.scrub(reason)
            member = self.text(f"errors/{name}.txt", f"{title}：收集失败：{error}\n")
            self.sections.append(Section(name, title, False, [member], error))
        else:
            self.sections.append(Section(name, title, True, members))


def _target(out: Path) -> Path:
    if out.is_dir():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return (out / f"xianjie-diagnostics-{stamp}.zip").absolute()
    return out.absolute()


def _write_zip(target: Path, members: dict[str, bytes]) -> tuple[int, str]:
    """Write the zip atomically; :class:`StorageError` (Chinese) when it cannot be written."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(members):
                zf.writestr(name, members[name])
        with partial.open("rb+") as fh:
            os.fsync(fh.fileno())
        partial.replace(target)
    except OSError as exc:
        _remove_quietly(partial)
        reason = exc.strerror or str(exc)
        raise StorageError(
            f"无法写入诊断包 {target}：{reason}。请换一个可写的位置，例如 --out 桌面上的文件。"
        ) from exc
    data = target.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def _remove_quietly(path: Path) -> None:
    with suppress(OSError):
        path.unlink(missing_ok=True)


def _readme(created_at: str, sections: list[Section]) -> str:
    lines = [
        f"衔接 {__version__} 诊断包（{created_at}，UTC）",
        "",
        "内容：版本、站点配置（已去除密钥和密码）、使用的路径、数据库完整性与计数（不含案件内容）、",
        "自检结果、输入法与 Qt 环境、中文字体、日志文件。summary.json 记录每一项是否收集成功。",
        "",
    ]
    for s in sections:
        state = "已收集" if s.ok else f"未能收集：{s.error}"
        lines.append(f"- {s.title}：{state}（{'、'.join(s.members)}）")
    return "\n".join(lines) + "\n"
