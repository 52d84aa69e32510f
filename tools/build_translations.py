"""Regenerate the UI translations: extract strings (.ts) and compile them (.qm).

    python tools/build_translations.py           # lupdate, then lrelease
    python tools/build_translations.py --check   # also fail if any string is untranslated

``resources/i18n/xianjie_<lang>.ts`` is the translators' source (committed). The compiled
``app/ui/i18n/xianjie_<lang>.qm`` is committed too, and lives inside the package so that an
installed or frozen Xianjie finds it without a build step. The source language is English.
"""

import argparse
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("zh_CN",)
TS_DIR = ROOT / "resources" / "i18n"
QM_DIR = ROOT / "app" / "ui" / "i18n"


def _tool(name: str) -> str:
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found: install PySide6 (it ships pyside6-lupdate/-lrelease)")
    return found


def untranslated(ts_file: Path) -> list[str]:
    """Source texts whose translation is missing or marked unfinished."""
    missing: list[str] = []
    for message in ET.parse(ts_file).getroot().iter("message"):
        translation = message.find("translation")
        source = message.findtext("source") or ""
        if translation is None or translation.get("type") in ("unfinished", "obsolete"):
            if translation is None or translation.get("type") == "unfinished":
                missing.append(source)
            continue
        if not (translation.text or "").strip() and translation.find("numerusform") is None:
            missing.append(source)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail on untranslated strings")
    args = parser.parse_args()
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app" / "ui").rglob("*.py"))
    QM_DIR.mkdir(parents=True, exist_ok=True)
    status = 0
    for lang in LANGUAGES:
        ts = TS_DIR / f"xianjie_{lang}.ts"
        qm = QM_DIR / f"xianjie_{lang}.qm"
        subprocess.run(
            [
                _tool("pyside6-lupdate"),
                *sources,
                "-no-obsolete",
                "-locations",
                "none",
                "-target-language",
                lang,
                "-ts",
                str(ts.relative_to(ROOT)),
            ],
            cwd=ROOT,
            check=True,
        )
        subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], cwd=ROOT, check=True)
        missing = untranslated(ts)
        if missing:
            print(f"{ts.name}: {len(missing)} untranslated:", *missing, sep="\n  ")
            if args.check:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
