"""The scan dialog: device, source, colour mode and resolution; thumbnails as pages arrive;
cancel; and the page editor (drag to reorder, rotate, delete, manual duplex, blank pages).

The dialog never touches the scanner or the disk on the GUI thread: scans run through
:class:`ScanSession` on the task runner; blank-page detection too.
"""

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QIcon,
    QImage,
    QPixmap,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.documents import pages as page_ops
from app.documents.pages import Page
from app.documents.scanners import DeviceInfo, OptionValue, Scanner, ScanRequest
from app.documents.watch_folder import WatchFolder
from app.errors import UserError
from app.store.db import Store
from app.ui.notices import NoticeBar
from app.ui.qtcompat import emit
from app.ui.scan.session import (
    ArrivedPage,
    ImportOutcome,
    ScanOutcome,
    ScanSession,
    prepare_imports,
)
from app.ui.tasks import TaskRunner

PAGE_ROLE = Qt.ItemDataRole.UserRole
COUNT_ROLE = Qt.ItemDataRole.UserRole + 1
FILE_FILTER = "PDF, JPEG, PNG, TIFF, BMP (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp);;* (*)"


class PageList(QListWidget):
    """The page thumbnails: drag to reorder; files dropped from outside are imported.

    Signals:
        files_dropped(object): a list of :class:`Path` dropped from the file manager.
    """

    files_dropped = Signal(object)

    def _external(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        return event.source() is None and event.mimeData().hasUrls()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._external(event):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if self._external(event):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        if self._external(event):
            paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
            event.acceptProposedAction()
            if paths:
                emit(self.files_dropped, paths)
        else:
            super().dropEvent(event)


@dataclass(frozen=True)
class AttachTarget:
    """Where "Attach to case" puts the pages: one document on this case."""

    store: Store
    case_id: str


@dataclass(frozen=True)
class Attached:
    pages: int
    suggestions: tuple[str, ...]  # found by OCR, for the clerk to use (never filled in)


SUGGESTION_LABELS = {
    "uscc": "统一社会信用代码",
    "resident_id": "身份证号码",
    "amount": "金额（分）",
    "date": "日期",
}


def attach_pages(
    target: AttachTarget, pages: tuple[Page, ...], doc_type: str, pdf: Path, *, ocr: bool = False
) -> Attached:
    """Assemble ``pages`` into ``pdf`` (lossless) and attach it as one document; with ``ocr``
    its text is indexed and the values found in it are returned as suggestions.

    Runs on the task runner's worker thread.
    """
    from app.documents.ocr import suggest
    from app.documents.pdf_assembly import PageSource, assemble
    from app.services.attach import attach_files

    sources = [
        PageSource(p.path, dpi=p.dpi, rotation=p.rotation, password=p.password) for p in pages
    ]
    assemble(sources, pdf)
    result = attach_files(target.store, target.case_id, [pdf], doc_type, ocr=ocr)
    found = suggest(result.text_pages) if ocr else []
    texts = tuple(
        f"{SUGGESTION_LABELS.get(x.kind, x.kind)}：{x.value}（第 {x.page} 页）" for x in found
    )
    return Attached(result.page_count, texts)


class ScanDialog(QDialog):
    """Scan pages into ``workdir`` and arrange them; :meth:`pages` gives the result.

    Signals:
        imported(int): how many files an import added (after the off-thread checks).
    """

    imported = Signal(int)

    def __init__(
        self,
        scanner: Scanner,
        runner: TaskRunner,
        workdir: Path,
        *,
        device: str = "",
        extra_options: dict[str, OptionValue] | None = None,
        attach_target: AttachTarget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Scan"))
        self.runner = runner
        self.workdir = workdir
        self.extra_options = dict(extra_options or {})
        self._batch = 0
        self.attach_target = attach_target
        self.jpeg_quality = 85
        self.session = ScanSession(scanner, runner, self)
        self.session.page_arrived.connect(self._add_page)
        self.session.finished.connect(self._scan_finished)

        self.notice = NoticeBar(self)
        self.device = QComboBox(self)
        self.device.setEditable(True)
        if device:
            self.device.addItem(device)
        self.source = QComboBox(self)
        for key, label in (
            ("flatbed", self.tr("Flatbed")),
            ("adf", self.tr("Document feeder")),
            ("duplex", self.tr("Feeder, both sides")),
        ):
            self.source.addItem(label, key)
        self.mode = QComboBox(self)
        for key, label in (
            ("gray", self.tr("Gray")),
            ("color", self.tr("Colour")),
            ("lineart", self.tr("Black and white")),
        ):
            self.mode.addItem(label, key)
        self.dpi = QSpinBox(self)
        self.dpi.setRange(75, 600)
        self.dpi.setSingleStep(75)
        self.dpi.setValue(300)
        self.dpi.setSuffix(" dpi")
        form = QFormLayout()
        form.addRow(self.tr("Scanner"), self.device)
        form.addRow(self.tr("Source"), self.source)
        form.addRow(self.tr("Colour mode"), self.mode)
        form.addRow(self.tr("Resolution"), self.dpi)

        self.scan_button = QPushButton(self.tr("Scan"), self)
        self.scan_button.clicked.connect(self.start_scan)
        self.import_button = QPushButton(self.tr("Import files…"), self)
        self.import_button.clicked.connect(self._choose_files)
        self.watch_button = QPushButton(self.tr("Watch a folder…"), self)
        self.watch_button.setToolTip(
            self.tr("Import what a network scanner saves into a folder, as it arrives")
        )
        self.watch_button.clicked.connect(self._toggle_watch)
        self.watch: WatchFolder | None = None
        self._watch_busy = False
        self._watch_timer = QTimer(self)
        self._watch_timer.setInterval(2000)
        self._watch_timer.timeout.connect(self._poll_watch)
        self.cancel_button = QPushButton(self.tr("Stop"), self)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.session.cancel)
        self.status = QLabel(self.tr("No pages yet"), self)

        self.page_list = PageList(self)
        self.page_list.setAcceptDrops(True)
        self.page_list.files_dropped.connect(self.import_files)
        self.page_list.setViewMode(QListWidget.ViewMode.IconMode)
        self.page_list.setIconSize(QSize(120, 160))
        self.page_list.setMovement(QListWidget.Movement.Snap)
        self.page_list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.page_list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.page_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.page_list.setResizeMode(QListWidget.ResizeMode.Adjust)

        tools = QHBoxLayout()
        for text, slot in (
            (self.tr("Rotate left"), lambda: self.rotate_selected(-90)),
            (self.tr("Rotate right"), lambda: self.rotate_selected(90)),
            (self.tr("Delete"), self.delete_selected),
            (self.tr("Interleave duplex"), self.interleave),
            (self.tr("Find blank pages"), self.find_blank),
        ):
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            tools.addWidget(button)

        self.doc_type = QComboBox(self)
        self.attach_button = QPushButton(self.tr("Attach to case"), self)
        self.attach_button.setToolTip(
            self.tr("Attaches the selected pages (all pages if none is selected) as one document")
        )
        self.ocr = QCheckBox(self.tr("Recognise text (OCR)"), self)
        self.ocr.setChecked(True)
        self.attach_button.clicked.connect(self.attach)
        if attach_target is not None:
            from app.services.attach import document_types

            for key, label in document_types().items():
                self.doc_type.addItem(f"{label}（{key}）", key)
            self.doc_type.currentIndexChanged.connect(self.apply_profile)
            self.apply_profile()
            tools.addStretch(1)
            tools.addWidget(self.doc_type)
            tools.addWidget(self.ocr)
            tools.addWidget(self.attach_button)
        else:
            self.doc_type.hide()
            self.attach_button.hide()
            self.ocr.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self.scan_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.watch_button)
        buttons.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.page_list, 1)
        layout.addLayout(tools)
        self.resize(820, 620)

    def done(self, result: int) -> None:
        """Closing stops a running scan (the pages already scanned stay on disk)."""
        if self.session.running:
            self.session.cancel()
        self.stop_watch()
        super().done(result)

    # --- scanning --------------------------------------------------------------------------

    def refresh_devices(self) -> None:
        """List the scanners (off the GUI thread); keep what the clerk typed."""
        scanner = self.session.scanner

        def show(devices: list[DeviceInfo]) -> None:
            typed = self.device.currentText()
            self.device.clear()
            for d in devices:
                self.device.addItem(f"{d.name}（{d.vendor} {d.model}）".strip(), d.name)
            if typed:
                self.device.setEditText(typed)
            if not devices:
                self.notice.show_notice(self.tr("No scanner found"), "warning")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                self.notice.show_notice(str(exc), "warning")
            else:
                self.runner.report_failure(exc)

        self.runner.run(scanner.devices, show, failed)

    def request(self) -> ScanRequest:
        return ScanRequest(
            device=self._device_name(),
            source=str(self.source.currentData()),
            mode=str(self.mode.currentData()),
            dpi=self.dpi.value(),
            options=dict(self.extra_options),
            jpeg_quality=self.jpeg_quality,
        )

    def apply_profile(self) -> None:
        """Colour mode, resolution and JPEG quality from the chosen document type's profile."""
        from app.documents.profiles import profile_for

        profile = profile_for(str(self.doc_type.currentData()))
        self.mode.setCurrentIndex(self.mode.findData(profile.mode))
        self.dpi.setValue(profile.dpi)
        self.jpeg_quality = profile.jpeg_quality

    def _device_name(self) -> str:
        index = self.device.currentIndex()
        text = self.device.currentText().strip()
        if index >= 0 and text == self.device.itemText(index) and self.device.itemData(index):
            return str(self.device.itemData(index))
        return text

    def start_scan(self) -> None:
        request = self.request()
        if not request.device:
            self.notice.show_notice(self.tr("Choose a scanner first"))
            return
        self._batch += 1
        self.notice.hide()
        self.scan_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status.setText(self.tr("Scanning…"))
        self.session.start(request, self.workdir / f"batch-{self._batch:03d}")

    def _add_page(self, arrived: ArrivedPage) -> None:
        width, height = arrived.thumb_size
        image = QImage(arrived.thumb_rgb, width, height, width * 3, QImage.Format.Format_RGB888)
        item = QListWidgetItem(QIcon(QPixmap.fromImage(image.copy())), "")
        item.setData(PAGE_ROLE, Page(arrived.page.path, 0, float(arrived.page.dpi)))
        self.page_list.addItem(item)
        self._renumber()
        self.status.setText(self.tr("%n page(s) scanned", "", self.page_list.count()))

    def _toggle_watch(self) -> None:
        if self.watch is not None:
            self.stop_watch()
            return
        folder = QFileDialog.getExistingDirectory(self, self.tr("Watch a folder"))
        if folder:
            self.start_watch(Path(folder))

    def start_watch(self, folder: Path, *, interval_ms: int = 2000, stable: float = 2.0) -> None:
        """Poll ``folder`` (network shares need polling); import each file once it is complete."""
        self.watch = WatchFolder(folder, stable_seconds=stable)
        self._watch_timer.setInterval(interval_ms)
        self._watch_timer.start()
        self.watch_button.setText(self.tr("Stop watching"))
        self.status.setText(self.tr("Watching %1").replace("%1", str(folder)))

    def stop_watch(self) -> None:
        self._watch_timer.stop()
        self.watch = None
        self.watch_button.setText(self.tr("Watch a folder…"))

    def _poll_watch(self) -> None:
        watch = self.watch
        if watch is None or self._watch_busy:
            return
        self._watch_busy = True

        def done(ready: list[Path]) -> None:
            self._watch_busy = False
            if ready and self.watch is watch:
                self.import_files(ready)

        def failed(exc: BaseException) -> None:
            self._watch_busy = False
            self.runner.report_failure(exc)

        self.runner.run(watch.poll, done, failed)

    def _choose_files(self) -> None:
        names, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("Import files"), "", FILE_FILTER
        )
        if names:
            self.import_files([Path(n) for n in names])

    def import_files(self, paths: list[Path], passwords: dict[Path, str] | None = None) -> None:
        """Add files as pages (each file one entry; a PDF keeps its pages), checked off the
        GUI thread; refused files are named in a notice, the others still come in."""
        self.import_button.setEnabled(False)

        def op() -> ImportOutcome:
            return prepare_imports(paths, passwords)

        def done(outcome: ImportOutcome) -> None:
            self.import_button.setEnabled(True)
            for f in outcome.files:
                width, height = f.thumb_size
                image = QImage(f.thumb_rgb, width, height, width * 3, QImage.Format.Format_RGB888)
                item = QListWidgetItem(QIcon(QPixmap.fromImage(image.copy())), "")
                item.setData(PAGE_ROLE, Page(f.path, password=f.password))
                item.setData(COUNT_ROLE, f.pages)
                self.page_list.addItem(item)
            self._renumber()
            if outcome.refused:
                self.notice.show_notice("；".join(outcome.refused), "error")
            emit(self.imported, len(outcome.files))
            self._ask_passwords(outcome.locked)

        self.runner.run(op, done)

    def _ask_passwords(self, locked: tuple[Path, ...]) -> None:
        """Ask for each encrypted PDF's password; a file left without one is not imported."""
        given: dict[Path, str] = {}
        for path in locked:
            text, ok = QInputDialog.getText(
                self,
                self.tr("Encrypted PDF"),
                self.tr("Password for %1:").replace("%1", path.name),
                QLineEdit.EchoMode.Password,
            )
            if ok and text:
                given[path] = text
        if given:
            self.import_files(list(given), given)

    def _scan_finished(self, outcome: ScanOutcome) -> None:
        self.scan_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status.setText(self.tr("%n page(s)", "", self.page_list.count()))
        if outcome.error:
            self.notice.show_notice(outcome.error, "error")

    # --- the page editor -------------------------------------------------------------------

    def pages(self) -> tuple[Page, ...]:
        """The pages in the order shown, with their rotations."""
        return tuple(self.page_list.item(i).data(PAGE_ROLE) for i in range(self.page_list.count()))

    def _selected_rows(self) -> list[int]:
        return sorted(self.page_list.row(item) for item in self.page_list.selectedItems())

    def _show(self, pages: tuple[Page, ...]) -> None:
        """Re-arrange the list items to ``pages`` (same Page objects, new order/rotation)."""
        old = {}
        for i in range(self.page_list.count()):
            item = self.page_list.item(i)
            old[item.data(PAGE_ROLE).path] = (item.icon(), item.data(COUNT_ROLE))
        self.page_list.clear()
        for page in pages:
            icon, count = old[page.path]
            item = QListWidgetItem(icon, "")
            item.setData(PAGE_ROLE, page)
            item.setData(COUNT_ROLE, count)
            self.page_list.addItem(item)
        self._renumber()

    def _renumber(self) -> None:
        for i in range(self.page_list.count()):
            item = self.page_list.item(i)
            page = item.data(PAGE_ROLE)
            label = str(i + 1) + (f" ↻{page.rotation}°" if page.rotation else "")
            count = item.data(COUNT_ROLE)
            if isinstance(count, int) and count > 1:
                label += " " + self.tr("(%n page(s))", "", count)
            item.setText(label)

    def rotate_selected(self, degrees: int) -> None:
        rows = self._selected_rows()
        if not rows:
            return
        before = self.pages()
        after = page_ops.rotate(before, rows, degrees)
        turn = QTransform().rotate(degrees)
        self._show(after)
        for row in rows:
            item = self.page_list.item(row)
            pixmap = item.icon().pixmap(self.page_list.iconSize())
            item.setIcon(QIcon(pixmap.transformed(turn)))
            item.setSelected(True)

    def delete_selected(self) -> None:
        rows = self._selected_rows()
        if rows:
            self._show(page_ops.delete(self.pages(), rows))

    def interleave(self) -> None:
        try:
            self._show(page_ops.interleave_duplex(self.pages()))
        except UserError as exc:
            self.notice.show_notice(exc.message)

    def find_blank(self) -> None:
        """Select the pages that look blank (a suggestion: the clerk decides to delete)."""
        pages = self.pages()

        def op() -> list[int]:
            return page_ops.suggest_blank(pages)

        def show(rows: list[int]) -> None:
            self.page_list.clearSelection()
            for row in rows:
                if row < self.page_list.count():
                    self.page_list.item(row).setSelected(True)
            if rows:
                numbers = "、".join(str(r + 1) for r in rows)
                self.notice.show_notice(
                    self.tr("Pages that look blank: %1").replace("%1", numbers), "info"
                )
            else:
                self.notice.show_notice(self.tr("No blank pages found"), "info")

        self.runner.run(op, show)

    def attach(self) -> None:
        """Attach the selected pages (or all) as one document, off the GUI thread; they leave
        the list once attached, so one scan is split into documents by attaching in parts."""
        target, every = self.attach_target, self.pages()
        rows = self._selected_rows() or list(range(len(every)))
        pages = tuple(every[r] for r in rows)
        if target is None or not pages:
            self.notice.show_notice(self.tr("There are no pages to attach"))
            return
        doc_type = str(self.doc_type.currentData())
        self._batch += 1
        pdf = self.workdir / f"document-{self._batch:03d}.pdf"
        self.attach_button.setEnabled(False)

        ocr = self.ocr.isChecked()

        def op() -> Attached:
            return attach_pages(target, pages, doc_type, pdf, ocr=ocr)

        def done(result: Attached) -> None:
            self.attach_button.setEnabled(True)
            attached = {p.path for p in pages}
            self._show(tuple(p for p in self.pages() if p.path not in attached))
            text = self.tr("Attached to the case as one document of %n page(s)", "", result.pages)
            if result.suggestions:
                text += " " + self.tr("Found in the text: %1").replace(
                    "%1", "；".join(result.suggestions)
                )
            self.notice.show_notice(text, "info")

        def failed(exc: BaseException) -> None:
            self.attach_button.setEnabled(True)
            if isinstance(exc, UserError):
                self.notice.show_notice(str(exc), "error")
            else:
                self.runner.report_failure(exc)

        self.runner.run(op, done, failed)
