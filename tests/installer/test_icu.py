"""The bundle's trimmed ICU data (installer/icu.py) still does what Qt needs in Chinese.

Qt from the virtual environment runs once with its own ICU data and once with the bundle's
library preloaded (same ICU version, same symbol): pinyin collation, the GB 18030 and GBK
converters and case mapping must come out the same.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="the ICU data is trimmed on Linux only"),
]

PROBE = """
import json
from PySide6.QtCore import QCollator, QLocale, QStringDecoder
names = ["张三", "李四", "王五", "阿明", "赵六", "欧阳", "Zhang", "安", "褚", "區"]
codecs = [n.upper() for n in QStringDecoder.availableCodecs()]
print(json.dumps({
    "pinyin": sorted(names, key=QCollator(QLocale("zh_CN")).sortKey),
    "gb18030": "GB18030" in codecs,
    "gbk": "GBK" in codecs or "WINDOWS-936" in codecs,
    "upper": QLocale("en_US").toUpper("straße"),
    "icu": sorted({l.split()[-1] for l in open("/proc/self/maps") if "libicudata" in l}),
}, ensure_ascii=False))
"""


def _probe(preload: Path | None) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if preload is not None:
        env["LD_PRELOAD"] = str(preload)
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_trimmed_icu_sorts_and_converts_chinese_like_the_full_data(bundle_dir: Path) -> None:
    trimmed = sorted((bundle_dir / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata*"))
    assert trimmed, "no ICU data library in the bundle"
    assert trimmed[0].stat().st_size < 10_000_000  # the trimmed one, not Qt's 31 MB
    full = _probe(None)
    small = _probe(trimmed[0])
    assert small.pop("icu") == [str(trimmed[0])]  # Qt really used the bundle's data
    assert str(trimmed[0]) not in full.pop("icu")
    assert small == full
    assert full["gb18030"] and full["gbk"]
    assert full["pinyin"][:2] == ["阿明", "安"]
