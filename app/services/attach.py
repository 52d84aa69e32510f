"""Attach files to a case as one typed document; re-check the stored files' integrity.

Every file is checked (type by content, size, pages, pixels, password) *before* anything is
stored, so one bad file refuses the whole attach and leaves the case as it was. Blobs go to
the content-addressed store (atomic, never duplicated); a file whose content is already on
the case is not attached again. OCR text, page by page (separated by form feeds), goes into
``documents.text`` and the case's search rows are rebuilt.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.documents.importer import DEFAULT_LIMITS, InspectedFile, Limits, inspect
from app.errors import UserError
from app.store.attachments import AttachmentStore
from app.store.db import Store

PAGE_SEPARATOR = "\f"


def document_types() -> dict[str, str]:
    """doc_type -> the label of the required-materials item it belongs to."""
    from app.domain.materials import transfer_spec

    types: dict[str, str] = {}
    for item in transfer_spec().items:
        for doc_type in item.doc_types:
            types.setdefault(doc_type, item.label)
    return types


@dataclass(frozen=True)
class AttachedFile:
    filename: str
    sha256: str
    media_type: str
    size: int
    pages: int
    duplicate: bool  # the same content was already on this case: not attached again


@dataclass(frozen=True)
class AttachResult:
    case_id: str
    document_id: str | None  # None when every file was already on the case
    doc_type: str
    files: tuple[AttachedFile, ...]
    page_count: int
    text_pages: tuple[str, ...] = field(default=())


def attach_files(
    store: Store,
    case_id: str,
    files: Sequence[Path],
    doc_type: str,
    *,
    title: str = "",
    passwords: Mapping[Path, str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    ocr: bool = False,
    user_id: str | None = None,
) -> AttachResult:
    """Attach ``files`` (in order) to case ``case_id`` as one document of ``doc_type``.

    An encrypted PDF needs its password in ``passwords``; it is stored decrypted, and the
    audit entry keeps the SHA-256 of the encrypted original.
    """
    types = document_types()
    if doc_type not in types:
        raise UserError(f"文书类型“{doc_type}”不在移送材料清单中（可用：{'、'.join(types)}）")
    if not files:
        raise UserError("没有要附加的文件")
    passwords = passwords or {}
    checked: list[InspectedFile] = [inspect(f, limits, passwords.get(f, "")) for f in files]
    with tempfile.TemporaryDirectory(prefix="xianjie-attach-") as tmp:
        originals = {c.path.name: _sha256(c.path) for c in checked if c.encrypted}
        plain = [_decrypted(c, passwords.get(c.path, ""), Path(tmp)) for c in checked]
        return _attach_checked(
            store, case_id, plain, doc_type, types, title, ocr, user_id, originals
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _decrypted(checked: InspectedFile, password: str, tmp: Path) -> InspectedFile:
    """An encrypted PDF opened with its password is stored without encryption, so the case's
    readers (and the platform) need no password; other files pass unchanged."""
    if not checked.encrypted:
        return checked
    import pikepdf

    target = tmp / f"{len(list(tmp.iterdir())):04d}" / checked.path.name
    target.parent.mkdir()
    with pikepdf.open(checked.path, password=password) as pdf:
        pdf.save(target, encryption=False)
    return replace(checked, path=target, size=target.stat().st_size, encrypted=False)


def _attach_checked(
    store: Store,
    case_id: str,
    checked: list[InspectedFile],
    doc_type: str,
    types: Mapping[str, str],
    title: str,
    ocr: bool,
    user_id: str | None,
    originals: Mapping[str, str],
) -> AttachResult:
    from sqlalchemy import select

    from app.store import audit
    from app.store.models import Attachment, Case, Document
    from app.store.search import reindex_cases

    texts: list[str] = []
    if ocr:
        from app.documents.ocr import ocr_file

        for c in checked:
            texts.extend(ocr_file(c.path, c.kind))
    with store.session() as session:
        case = session.get(Case, case_id)
        if case is None or case.deleted:
            raise UserError(f"找不到案件 {case_id}")
        on_case = set(
            session.scalars(
                select(Attachment.sha256)
                .join(Document, Document.id == Attachment.document_id)
                .where(Document.case_id == case_id, Attachment.deleted.is_(False))
            )
        )
        blobs = AttachmentStore(store.paths.attachments)
        results: list[AttachedFile] = []
        for c in checked:
            blob = blobs.put_file(c.path)
            duplicate = blob.sha256 in on_case
            on_case.add(blob.sha256)
            results.append(
                AttachedFile(
                    c.path.name, blob.sha256, c.media_type, c.size, c.page_count, duplicate
                )
            )
        new = [(r, c) for r, c in zip(results, checked, strict=True) if not r.duplicate]
        if not new:
            return AttachResult(case_id, None, doc_type, tuple(results), 0)
        pages = sum(r.pages for r, _ in new)
        document = Document(
            case_id=case_id,
            doc_type=doc_type,
            title=title or types[doc_type],
            text=PAGE_SEPARATOR.join(texts),
            page_count=pages,
        )
        session.add(document)
        session.flush()
        for position, (r, _c) in enumerate(new):
            session.add(
                Attachment(
                    document_id=document.id,
                    sha256=r.sha256,
                    filename=r.filename,
                    media_type=r.media_type,
                    size=r.size,
                    position=position,
                )
            )
        audit.record(
            session,
            "document.attach",
            user_id=user_id,
            entity="document",
            entity_id=document.id,
            detail={
                "case_id": case_id,
                "doc_type": doc_type,
                "sha256": [r.sha256 for r, _ in new],
                "encrypted_originals": dict(originals),
            },
        )
        reindex_cases(session, [case_id])
        return AttachResult(case_id, document.id, doc_type, tuple(results), pages, tuple(texts))


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    missing: tuple[str, ...]
    corrupt: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


def verify_attachments(store: Store) -> VerifyReport:
    """Re-hash every attached file: which are missing, which no longer match their hash."""
    blobs = AttachmentStore(store.paths.attachments)
    with store.reading() as conn:
        hashes = sorted(
            {row[0] for row in conn.execute("SELECT sha256 FROM attachments WHERE NOT deleted")}
        )
    missing: list[str] = []
    corrupt: list[str] = []
    for sha in hashes:
        if not blobs.contains(sha):
            missing.append(sha)
        elif not blobs.verify(sha):
            corrupt.append(sha)
    return VerifyReport(len(hashes), tuple(missing), tuple(corrupt))
