"""UI fixtures: Chinese translators, a synchronous task runner, a small seeded store."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.kinds import UnitKind
from app.services.accounts import SignedInUser
from app.site_config import SiteConfig
from app.store.db import Store
from app.store.models import Deadline, Document, Event, Party, Unit
from app.ui.application import install_translators
from app.ui.main_window import MainWindow
from app.ui.tasks import TaskRunner
from tests.case_seed import add_case, add_home_unit

OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"
"""The offscreen platform plugin says this whenever a top-level window is resized: not ours."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def _no_modal_boxes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XIANJIE_NO_CRASH_DIALOG", "1")
    monkeypatch.setenv("XIANJIE_SITE_CONFIG", str(tmp_path / "no-site.toml"))


@pytest.fixture(scope="session", autouse=True)
def _chinese(qapp: QApplication) -> None:
    assert install_translators(qapp, "zh_CN"), "zh_CN translations must load"


@pytest.fixture
def runner(qapp: QApplication) -> TaskRunner:
    return TaskRunner(synchronous=True)


@dataclass
class Seeded:
    admin: SignedInUser
    env: str
    food: str
    drug: str


def seed_cases(store: Store) -> Seeded:
    """An admin and three cases: one overdue environmental case with parties and timeline."""
    admin = add_home_unit(store)
    now = datetime.now(UTC)
    with store.session() as s:
        other = Unit(code="320300-SJ", name="徐州市市场监督管理局", kind=UnitKind.ENFORCEMENT.value)
        s.add(other)
        s.flush()
        other_id = other.id
    env = add_case(
        store,
        "非法倾倒危险废物案",
        unit_id=admin.unit_id,
        case_number="徐铜环罚〔2024〕15号",
        category="hazardous_waste",
        facts="在厂区外倾倒废酸约4吨",
        amount_fen=1_250_000,
        opened_on=date(2024, 3, 1),
        parties=[
            Party(kind="organisation", name="徐州某某化工有限公司", id_number="91320312MA1XXXXX0X")
        ],
        events=[
            Event(kind="case_opened", occurred_at=now - timedelta(days=30)),
            Event(kind="crime_suspected", occurred_at=now - timedelta(days=2)),
        ],
        documents=[
            Document(doc_type="inspection_record", title="现场检查笔录", text="现场发现废酸桶若干")
        ],
        overdue=True,
        indexed=True,
    )
    food = add_case(
        store,
        "销售过期食品案",
        unit_id=other_id,
        case_number="徐市监罚〔2024〕3号",
        domain="food",
        category="expired_food",
        status="decided",
        facts="超市销售过期奶粉",
        opened_on=date(2024, 5, 2),
        parties=[Party(kind="person", name="王某", id_number="")],
        deadlines=[
            Deadline(
                rule_id="entry", node="平台录入", owed_by="self", due_at=now + timedelta(days=3)
            )
        ],
        indexed=True,
    )
    drug = add_case(
        store,
        "销售假药案",
        unit_id=other_id,
        case_number="徐市监药罚〔2024〕8号",
        domain="drug",
        category="fake_drug",
        status="transferred",
        facts="药店销售假冒降压药",
        opened_on=date(2024, 4, 10),
        parties=[Party(kind="person", name="李某某", id_number="")],
        indexed=True,
    )
    return Seeded(admin, env, food, drug)


@pytest.fixture
def seeded(store: Store) -> Seeded:
    return seed_cases(store)


@pytest.fixture
def window(qtbot: QtBot, store: Store, seeded: Seeded, runner: TaskRunner) -> Iterator[MainWindow]:
    win = MainWindow(store, seeded.admin, SiteConfig(), runner)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.ready, timeout=5000):
        win.start()
    qtbot.waitUntil(lambda: win.is_settled, timeout=5000)  # shortcuts, the search box's hint
    yield win
