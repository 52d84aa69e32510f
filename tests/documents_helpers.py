"""Helpers for the scanning tests: a private SANE configuration with only the test backend."""

import importlib.util
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from app.store.db import Store

SYSTEM_TEST_CONF = Path("/etc/sane.d/test.conf")


def sane_available() -> bool:
    return importlib.util.find_spec("sane") is not None and SYSTEM_TEST_CONF.is_file()


needs_sane = pytest.mark.skipif(
    not sane_available(), reason="python-sane or the SANE test backend is not installed"
)
needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("convert", "gs", "qpdf")),
    reason="ImageMagick, Ghostscript and qpdf make the test files",
)


def sane_env(folder: Path) -> dict[str, str]:
    """An environment whose SANE sees only the ``test`` backend, with an A3-sized bed."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dll.conf").write_text("test\n", encoding="utf-8")
    conf = SYSTEM_TEST_CONF.read_text(encoding="utf-8")
    conf = conf.replace("geometry_max 200.0", "geometry_max 420.0")
    (folder / "test.conf").write_text(conf, encoding="utf-8")
    return {**os.environ, "SANE_CONFIG_DIR": str(folder)}


def make_case(store: "Store", title: str = "某公司非法倾倒危险废物案") -> str:
    """One case in a unit of its own (徐州市铜山生态环境局); returns its id."""
    from datetime import date

    from app.store.models import Unit
    from tests.case_seed import add_case

    with store.session() as session:
        unit = Unit(code=f"U-{title[:4]}", name="徐州市铜山生态环境局", kind="enforcement")
        session.add(unit)
        session.flush()
        unit_id = unit.id
    return add_case(
        store,
        title,
        unit_id=unit_id,
        category="hazardous_waste_dumping",
        opened_on=date(2026, 3, 2),
        case_number="徐铜环罚〔2026〕7号",
    )
