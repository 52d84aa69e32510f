"""A smaller ICU data library for the bundle: Chinese and English only (Linux).

Qt 6 from the PySide6 wheels links ``libicudata.so.73``: 31 MB of locale, collation,
time-zone, converter and dictionary data for every language ICU knows. The app is Chinese
with an English option, so the bundle carries a rebuilt ``libicudata`` that keeps

- everything that is not per-locale (normalisation, properties, case mapping, names,
  supplemental data, time-zone rules, the converter alias table),
- per-locale data of ``root``, ``en*`` and ``zh``/``zh_CN``/``zh_Hans*`` (collation included:
  pinyin sorting),
- the Chinese converters (GB 18030, GBK) besides the built-in UTF ones,

and drops other locales, the other legacy converters, transliteration, number spell-out and
the break-iterator dictionaries (Qt breaks lines and words with its own tables). The data
package is edited with ICU's own ``icupkg`` and assembled into a shared object that exports
the same ``icudt73_dat`` symbol, so ICU cannot tell the difference.

Needs ``icupkg`` (Debian: icu-devtools), ``gcc``, ``nm`` and ``readelf`` (binutils) on the
build machine; without them the bundle keeps the full library.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

KEEP_LOCALES = re.compile(r"^(root|pool|res_index|en(_[A-Za-z0-9]+)*|zh|zh_CN|zh_Hans(_CN)?)$")
LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]*)*$")
KEEP_CONVERTERS = ("gb18030.cnv", "ibm-1386_P100-2001.cnv", "windows-936-2000.cnv")
DROP_TREES = ("translit/", "rbnf/")
TOOLS = ("icupkg", "gcc", "nm", "readelf")


def tools_missing() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def keep_item(item: str) -> bool:
    """Whether a data item (``coll/zh.res``, ``nfc.nrm`` ...) stays in the trimmed package."""
    if item.startswith(DROP_TREES):
        return False
    name = item.rsplit("/", 1)[-1]
    stem, _, suffix = name.rpartition(".")
    if suffix == "cnv":
        return name in KEEP_CONVERTERS
    if suffix == "dict":
        return False
    if suffix == "res" and LOCALE_NAME.match(stem):
        return bool(KEEP_LOCALES.match(stem))
    return True


def _data_symbol(library: Path) -> tuple[str, bytes]:
    """The exported ``icudtNN_dat`` symbol of an ICU data library and its bytes."""
    out = subprocess.run(
        ["nm", "-D", "-S", "--defined-only", str(library)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = [line.split() for line in out.splitlines() if line.split()[-1].endswith("_dat")]
    if len(found) != 1:
        raise ValueError(f"{library}: no single icudt*_dat symbol")
    address, size, _kind, symbol = found[0]
    vaddr, length = int(address, 16), int(size, 16)
    sections = subprocess.run(
        ["readelf", "-SW", str(library)], capture_output=True, text=True, check=True
    ).stdout
    row = re.compile(r"\s*\[\s*\d+\]\s+\S+\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)")
    for line in sections.splitlines():
        match = row.match(line)
        if match is None:
            continue
        start, offset, span = (int(g, 16) for g in match.groups())
        if start <= vaddr < start + span:
            with library.open("rb") as fh:
                fh.seek(offset + vaddr - start)
                return symbol, fh.read(length)
    raise ValueError(f"{library}: {symbol} is in no section")


def trim_icu_data(library: Path, work_dir: Path) -> Path:
    """Build the trimmed copy of ``library`` (``libicudataNN.so``) in ``work_dir``."""
    work_dir.mkdir(parents=True, exist_ok=True)
    symbol, data = _data_symbol(library)
    package = work_dir / f"{symbol.removesuffix('_dat')}l.dat"
    package.write_bytes(data)
    listing = subprocess.run(
        ["icupkg", "-l", str(package)], capture_output=True, text=True, check=True
    ).stdout
    drop = [item for item in listing.split() if not keep_item(item)]
    drop_list = work_dir / "drop.txt"
    drop_list.write_text("\n".join(drop) + "\n", encoding="utf-8")
    # --ignore-deps: brkitr/root.res names the dictionaries; ICU's break iterators go on
    # without them (per character for CJK), and Qt does not use them at all
    subprocess.run(
        ["icupkg", "--ignore-deps", "-r", str(drop_list), str(package)],
        check=True,
        capture_output=True,
    )
    assembly = work_dir / "icudata.S"
    assembly.write_text(
        "\t.section .rodata\n"
        f"\t.globl {symbol}\n"
        f"\t.type {symbol}, @object\n"
        "\t.balign 16\n"
        f"{symbol}:\n"
        f'\t.incbin "{package}"\n'
        f"\t.size {symbol}, . - {symbol}\n"
        '\t.section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    out = work_dir / library.name
    subprocess.run(
        [
            "gcc",
            "-shared",
            "-nostdlib",
            "-o",
            str(out),
            str(assembly),
            f"-Wl,-soname,{library.name}",
            "-Wl,--build-id=none",
        ],
        check=True,
        capture_output=True,
    )
    return out
