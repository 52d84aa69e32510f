"""The bundle's build helpers on their own, without building a bundle."""

import ctypes
import shutil
import sys
from pathlib import Path

import pytest

from installer.elfpad import compact
from installer.icu import keep_item

PILLOW_LIBS = Path(__import__("PIL").__file__).parent.parent / "pillow.libs"


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ("coll/zh.res", True),
        ("coll/root.res", True),
        ("coll/de.res", False),
        ("coll/de_.res", False),
        ("zh_Hans_CN.res", True),
        ("zh_Hant.res", False),
        ("en_GB.res", True),
        ("ja.res", False),
        ("nfc.nrm", True),
        ("uprops.icu", True),
        ("cnvalias.icu", True),
        ("gb18030.cnv", True),
        ("ibm-943_P15A-2003.cnv", False),
        ("brkitr/cjdict.dict", False),
        ("brkitr/line.brk", True),
        ("translit/root.res", False),
        ("zone/zh.res", True),
        ("zone/fr.res", False),
        ("supplementalData.res", True),
    ],
)
def test_icu_items_kept_for_chinese_and_english(item: str, kept: bool) -> None:
    assert keep_item(item) is kept


@pytest.mark.skipif(sys.platform != "linux", reason="ELF libraries")
def test_padding_removed_and_library_still_loads(tmp_path: Path) -> None:
    found = sorted(PILLOW_LIBS.glob("libXau-*.so*"))
    if not found:
        pytest.skip("this Pillow wheel vendors no libXau")
    source = found[0]
    target = tmp_path / source.name
    saved = compact(source, target)
    assert saved > 1_000_000
    assert target.stat().st_size == source.stat().st_size - saved
    library = ctypes.CDLL(str(target))
    assert library.XauFileName  # the dynamic symbol table survived the move


def test_non_elf_files_are_copied_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("not a library\n", encoding="utf-8")
    assert compact(source, tmp_path / "out" / "notes.txt") == 0
    assert (tmp_path / "out" / "notes.txt").read_bytes() == source.read_bytes()
    shutil.rmtree(tmp_path / "out")
