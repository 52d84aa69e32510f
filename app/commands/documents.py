"""``xianjie scan``, ``make-pdf``, ``attach`` and ``verify`` (DESIGN.md's CLI table)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.commands import Command
from app.errors import UserError

if TYPE_CHECKING:
    from app.cli import Context
    from app.documents.scanners import OptionValue


def _option(text: str) -> tuple[str, OptionValue]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"设备选项应写作 名称=值：{text}")
    value: OptionValue = raw
    if raw.lower() in ("yes", "true"):
        value = True
    elif raw.lower() in ("no", "false"):
        value = False
    else:
        try:
            value = int(raw)
        except ValueError:
            try:
                value = float(raw)
            except ValueError:
                value = raw
    return name, value


def _scan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device", required=True, help="扫描仪名称（如 test 或 fujitsu:fi-7160:123）"
    )
    parser.add_argument("--source", choices=("flatbed", "adf", "duplex"), default="flatbed")
    parser.add_argument("--mode", choices=("color", "gray", "lineart"), default="gray")
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--pages", type=int, help="最多扫描页数（默认：平板 1 页，送纸器全部）")
    parser.add_argument(
        "--option", type=_option, action="append", default=[], help="设备选项 名称=值"
    )
    parser.add_argument("--out", required=True, help="输出 PDF 文件")
    parser.add_argument("--json", action="store_true")


def _run_scan(ctx: Context) -> int:
    import tempfile

    from app.cli import print_json
    from app.documents.errors import ScanError
    from app.documents.pdf_assembly import PageSource, assemble
    from app.documents.scanners import ScannedPage, ScanRequest
    from app.documents.scanners.sane_backend import SaneScanner

    args = ctx.args
    request = ScanRequest(
        device=args.device,
        source=args.source,
        mode=args.mode,
        dpi=args.dpi,
        pages=args.pages,
        options=dict(args.option),
    )
    out = Path(args.out)
    pages: list[ScannedPage] = []
    failure: ScanError | None = None
    with tempfile.TemporaryDirectory(prefix="xianjie-scan-") as tmp:
        try:
            for page in SaneScanner().scan(request, Path(tmp)):
                pages.append(page)
                if not args.json:
                    print(
                        f"第 {page.index} 页：{page.width}×{page.height}，{page.dpi} dpi",
                        flush=True,
                    )
        except ScanError as exc:
            failure = exc
        if pages:
            assemble([PageSource(p.path, dpi=p.dpi) for p in pages], out)
    if args.json:
        print_json(
            {
                "out": str(out) if pages else None,
                "pages": len(pages),
                "error": failure.status if failure else None,
                "message": failure.message if failure else None,
            }
        )
    elif pages:
        print(f"已生成 {out}（{len(pages)} 页）")
    if failure is not None:
        kept = f"；已扫描的 {len(pages)} 页已保存到 {out}" if pages else ""
        raise UserError(failure.message + kept, detail=failure.detail)
    return 0


def _make_pdf_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("images", nargs="+", help="页面图像或 PDF（JPEG、PNG、TIFF、BMP、PDF）")
    parser.add_argument("--out", required=True)
    parser.add_argument("--dpi", type=float, help="图像未记录分辨率时使用的分辨率（默认 300）")
    parser.add_argument("--json", action="store_true")


def _run_make_pdf(ctx: Context) -> int:
    from app.cli import print_json
    from app.documents.pdf_assembly import DEFAULT_DPI, PageSource, assemble

    sources = [PageSource(Path(p)) for p in ctx.args.images]
    result = assemble(sources, Path(ctx.args.out), default_dpi=ctx.args.dpi or DEFAULT_DPI)
    if ctx.args.json:
        print_json({"out": str(result.out), "pages": result.pages, "size": result.size})
    else:
        print(f"已生成 {result.out}（{result.pages} 页，{result.size:,} 字节）")
    return 0


def _attach_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case_id", metavar="CASE-ID")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--type", required=True, dest="doc_type", help="文书类型（移送材料清单）")
    parser.add_argument("--title", default="")
    parser.add_argument("--password", default="", help="加密 PDF 的密码")
    parser.add_argument("--ocr", action="store_true", help="识别文字（tesseract chi_sim+eng）")
    parser.add_argument("--json", action="store_true")


def _run_attach(ctx: Context) -> int:
    from app.cli import print_json
    from app.services.attach import attach_files

    files = [Path(f) for f in ctx.args.files]
    passwords = {f: ctx.args.password for f in files} if ctx.args.password else None
    result = attach_files(
        ctx.store(),
        ctx.args.case_id,
        files,
        ctx.args.doc_type,
        title=ctx.args.title,
        passwords=passwords,
        ocr=ctx.args.ocr,
    )
    if ctx.args.ocr:
        from app.documents.ocr import suggest

        suggestions = suggest(result.text_pages)
    else:
        suggestions = []
    if ctx.args.json:
        print_json(
            {
                "case_id": result.case_id,
                "document_id": result.document_id,
                "doc_type": result.doc_type,
                "pages": result.page_count,
                "files": result.files,
                "suggestions": suggestions,
            }
        )
        return 0
    for f in result.files:
        mark = "已存在，未重复附加" if f.duplicate else f"{f.pages} 页"
        print(f"{f.filename}\t{f.media_type}\t{mark}\t{f.sha256[:12]}")
    if result.document_id:
        print(f"已附加为文书 {result.document_id}（{result.page_count} 页）")
    for s in suggestions:
        print(f"建议（第 {s.page} 页）：{s.kind} = {s.value}（原文：{s.text}）")
    return 0


def _verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true")


def _run_verify(ctx: Context) -> int:
    from app.cli import print_json
    from app.services.attach import verify_attachments

    report = verify_attachments(ctx.store())
    if ctx.args.json:
        print_json(
            {
                "ok": report.ok,
                "checked": report.checked,
                "missing": report.missing,
                "corrupt": report.corrupt,
            }
        )
    else:
        for sha in report.missing:
            print(f"缺失：{sha}")
        for sha in report.corrupt:
            print(f"已损坏（内容与哈希不符）：{sha}")
        print(f"已校验 {report.checked} 个附件文件")
    if not report.ok:
        sys.stderr.write(
            f"附件校验未通过：缺失 {len(report.missing)} 个，损坏 {len(report.corrupt)} 个\n"
        )
        return 1
    return 0


COMMANDS = [
    Command("scan", "扫描为 PDF（SANE）", _scan_arguments, _run_scan),
    Command("make-pdf", "把页面图像无损合成为 PDF", _make_pdf_arguments, _run_make_pdf),
    Command("attach", "把文件作为文书附加到案件", _attach_arguments, _run_attach),
    Command("verify", "重新校验全部附件文件的完整性", _verify_arguments, _run_verify),
]
