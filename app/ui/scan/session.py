"""One scan run off the GUI thread: pages (with ready-made thumbnails) stream to the GUI.

The scanner loop runs in the task runner's worker thread; each page's thumbnail is made there
with Pillow (JPEG draft decoding), so the GUI thread only wraps bytes in a QImage.
"""

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.documents.errors import ScanError
from app.documents.scanners import ScannedPage, Scanner, ScanRequest
from app.ui.qtcompat import emit
from app.ui.tasks import TaskRunner

THUMB = 160


@dataclass(frozen=True)
class ArrivedPage:
    page: ScannedPage
    thumb_size: tuple[int, int]
    thumb_rgb: bytes


@dataclass(frozen=True)
class ScanOutcome:
    pages: int
    error: str | None  # the Chinese message, when the device failed


def thumbnail(path: Path, size: int = THUMB) -> tuple[tuple[int, int], bytes]:
    """A small RGB rendering of a page image (width, height) and its raw bytes."""
    from PIL import Image

    with Image.open(path) as im:
        im.draft("RGB", (size * 2, size * 2))
        small = im.convert("RGB")
        small.thumbnail((size, size))
        return small.size, small.tobytes()


class ScanSession(QObject):
    """Runs one scan at a time.

    Signals:
        page_arrived(object): an :class:`ArrivedPage`, on the GUI thread.
        finished(object): a :class:`ScanOutcome`, on the GUI thread.
    """

    page_arrived = Signal(object)
    finished = Signal(object)

    def __init__(self, scanner: Scanner, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scanner = scanner
        self.runner = runner
        self.running = False

    def start(self, request: ScanRequest, out_dir: Path) -> None:
        self.running = True
        scanner = self.scanner

        def op() -> ScanOutcome:
            count = 0
            try:
                for page in scanner.scan(request, out_dir):
                    size, rgb = thumbnail(page.path)
                    emit(self.page_arrived, ArrivedPage(page, size, rgb))
                    count += 1
            except ScanError as exc:
                return ScanOutcome(count, str(exc.message))
            return ScanOutcome(count, None)

        self.runner.run(op, self._done, self._failed)

    def cancel(self) -> None:
        self.scanner.cancel()

    def _done(self, outcome: ScanOutcome) -> None:
        self.running = False
        emit(self.finished, outcome)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.runner.report_failure(exc)
        emit(self.finished, ScanOutcome(0, str(exc)))


@dataclass(frozen=True)
class ImportedFile:
    path: Path
    pages: int
    password: str
    thumb_size: tuple[int, int]
    thumb_rgb: bytes


@dataclass(frozen=True)
class ImportOutcome:
    files: tuple[ImportedFile, ...]
    refused: tuple[str, ...]  # one Chinese message per refused file
    locked: tuple[Path, ...] = ()  # encrypted PDFs that need (another) password


def prepare_imports(paths: list[Path], passwords: dict[Path, str] | None = None) -> ImportOutcome:
    """Check each file (type by content, limits, damage, password) and make its thumbnail.

    Runs on a worker thread. A refused file does not stop the others.
    """
    import subprocess
    import tempfile

    from app.documents.errors import FileRefused, PasswordRequired
    from app.documents.importer import inspect

    passwords = passwords or {}
    files: list[ImportedFile] = []
    refused: list[str] = []
    locked: list[Path] = []
    for path in paths:
        password = passwords.get(path, "")
        try:
            checked = inspect(path, password=password)
            if checked.kind == "pdf":
                with tempfile.TemporaryDirectory() as tmp:
                    first = Path(tmp) / "first"
                    render = ["pdftoppm", "-f", "1", "-l", "1", "-scale-to", str(THUMB * 2)]
                    subprocess.run(
                        [*render, "-upw", password, "-singlefile", "-png", str(path), str(first)],
                        check=True,
                        capture_output=True,
                        timeout=60,
                    )
                    size, rgb = thumbnail(first.with_suffix(".png"))
            else:
                size, rgb = thumbnail(path)
        except PasswordRequired as exc:
            if password:
                refused.append(exc.message)
            locked.append(path)
            continue
        except FileRefused as exc:
            refused.append(exc.message)
            continue
        except (OSError, subprocess.SubprocessError) as exc:
            refused.append(f"无法生成“{path.name}”的缩略图（{exc}）")
            continue
        files.append(ImportedFile(path, checked.page_count, password, size, rgb))
    return ImportOutcome(tuple(files), tuple(refused), tuple(locked))
