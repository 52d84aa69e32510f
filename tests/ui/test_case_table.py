"""The case table model at 100,000 cases: ids only, rows fetched one page at a time."""

import random
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

import app.ui.case_table as case_table
from app.ids import new_id
from app.services.case_queries import CaseFilter, CaseRow
from app.store.db import Store
from app.store.types import format_utc, utc_now
from app.ui.case_table import PAGE_SIZE, CaseTableModel
from app.ui.tasks import TaskRunner

N = 100_000


def bulk_cases(store: Store, count: int) -> None:
    """Insert ``count`` bare cases in one transaction (about a second for 100,000)."""
    now = format_utc(utc_now())
    unit_id = new_id()
    rnd = random.Random(7)
    domains = ["environment", "food", "drug"]
    start = date(2015, 1, 1)
    rows = [
        (
            new_id(),
            now,
            now,
            unit_id,
            f"徐环罚〔{2015 + n % 10}〕{n}号",
            f"第{n}号案件",
            rnd.choice(domains),
            (start + timedelta(days=n % 3650)).isoformat(),
        )
        for n in range(count)
    ]
    conn = store.raw_connection()
    try:
        with conn:
            conn.execute(
                "INSERT INTO units (id, created_at, updated_at, version, sync_state, deleted, "
                "code, name, kind, region, division_code) "
                "VALUES (?, ?, ?, 1, 'pending', 0, 'BULK', ?, 'enforcement', '', '')",
                (unit_id, now, now, "徐州市生态环境局"),
            )
            conn.executemany(
                "INSERT INTO cases (id, created_at, updated_at, version, sync_state, deleted, "
                "unit_id, case_number, title, domain, category, status, facts, opened_on, "
                "spec_version, fields) "
                "VALUES (?, ?, ?, 1, 'pending', 0, ?, ?, ?, ?, 'x', 'open', '', ?, '', '{}')",
                rows,
            )
    finally:
        conn.close()


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from app.paths import DataPaths
    from app.store.db import open_store

    store = open_store(DataPaths(tmp_path_factory.mktemp("big") / "data"))
    bulk_cases(store, N)
    yield store
    store.close()


def test_100k_cases_load_ids_and_fetch_only_the_pages_shown(
    big_store: Store, monkeypatch: pytest.MonkeyPatch, qapp
) -> None:
    fetched: list[int] = []
    real_fetch = case_table.fetch_rows

    def counting_fetch(session: Session, ids: list[str]) -> dict[str, CaseRow]:
        fetched.append(len(ids))
        return real_fetch(session, ids)

    monkeypatch.setattr(case_table, "fetch_rows", counting_fetch)
    model = CaseTableModel(big_store, TaskRunner(synchronous=True))
    started = time.perf_counter()
    model.set_filter(CaseFilter())
    load_seconds = time.perf_counter() - started
    assert model.rowCount() == N
    assert fetched == [PAGE_SIZE], "the first page comes with the id list"
    assert load_seconds < 5

    last = model.index(N - 1, 1)
    title = last.data()
    assert title.startswith("第") and title.endswith("号案件")
    assert fetched == [PAGE_SIZE, PAGE_SIZE], "the last row costs one page query, not 100,000"
    assert model.page_fetches == 1

    # Every cell on that page is now served from the cache.
    for row in range(N - PAGE_SIZE, N):
        for column in range(model.columnCount()):
            model.index(row, column).data()
            model.index(row, column).data(Qt.ItemDataRole.BackgroundRole)
    assert model.page_fetches == 1

    # A domain filter is one id query plus its first page.
    model.set_filter(CaseFilter(domain="food"))
    assert 0 < model.rowCount() < N
    assert fetched[-1] == PAGE_SIZE and len(fetched) == 3


def test_pages_fill_in_from_the_background(big_store: Store, qtbot: QtBot) -> None:
    model = CaseTableModel(big_store, TaskRunner())
    with qtbot.waitSignal(model.ids_loaded, timeout=10000):
        model.set_filter(CaseFilter())
    middle = model.index(N // 2, 0)
    assert middle.data() == "…"  # placeholder while the page loads
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as blocker:
        pass
    top, bottom = blocker.args[:2]  # (topLeft, bottomRight, roles)
    assert top.row() <= N // 2 <= bottom.row()
    assert middle.data().startswith("徐环罚")
    assert model.page_fetches == 1


def test_a_held_back_full_id_list_waits_for_release(big_store: Store) -> None:
    model = CaseTableModel(big_store, TaskRunner(synchronous=True))
    counted: list[int] = []
    model.ids_loaded.connect(counted.append)
    model.hold_tail()
    model.set_filter(CaseFilter())
    assert model.rowCount() == PAGE_SIZE, "the first page is shown at once"
    assert counted == [], "the full id list waits"
    model.release_tail()
    assert counted == [N] and model.rowCount() == N
    model.set_filter(CaseFilter(domain="food"))  # later results are not held back
    assert len(counted) == 2 and model.rowCount() == counted[-1]


def test_role_numbers_are_qts() -> None:
    assert Qt.ItemDataRole.DisplayRole == case_table.DISPLAY_ROLE
    assert Qt.ItemDataRole.ToolTipRole == case_table.TOOLTIP_ROLE
    assert Qt.ItemDataRole.BackgroundRole == case_table.BACKGROUND_ROLE
    assert Qt.ItemDataRole.ForegroundRole == case_table.FOREGROUND_ROLE


def test_a_first_page_read_ahead_with_part_of_its_rows_is_completed_after_release(
    big_store: Store,
) -> None:
    with big_store.reading() as conn:
        first = case_table.read_first_page(conn, CaseFilter(), case_table.READ_AHEAD_ROWS)
    assert len(first.ids) == PAGE_SIZE and len(first.rows) == case_table.READ_AHEAD_ROWS
    model = CaseTableModel(big_store, TaskRunner(synchronous=True))
    model.hold_tail()  # as at start-up: the rest waits until the window has settled
    model.set_filter(CaseFilter(), first)
    assert model.index(0, 1).data().endswith("号案件")
    assert model.index(case_table.READ_AHEAD_ROWS, 1).data() is None  # not read yet
    assert model.page_fetches == 0
    model.release_tail()
    assert model.page_fetches == 1 and model.rowCount() == N
    assert model.index(PAGE_SIZE - 1, 1).data().endswith("号案件")
    assert model.index(case_table.READ_AHEAD_ROWS, 0).data().startswith("徐环罚")


def test_cells_answer_every_role_per_column() -> None:
    row = CaseRow(
        id="c1",
        case_number="徐环罚〔2024〕1号",
        title="某化工厂案",
        domain="生态环境",
        status="立案",
        unit_name="徐州市生态环境局",
        opened_on=date(2024, 3, 1),
        parties="某化工厂",
        penalty_fen=None,
        sync_state="error",
        overdue=False,
    )
    cells = case_table._cells(row)
    display = cells[case_table.DISPLAY_ROLE]
    assert len(display) == len(case_table.COLUMNS)
    assert dict(zip(case_table.COLUMNS, display, strict=True))["opened_on"] == "2024-03-01"
    tips = dict(zip(case_table.COLUMNS, cells[case_table.TOOLTIP_ROLE], strict=True))
    assert tips["title"] == "某化工厂案" and tips["case_number"] is None
    assert tips["sync_state"]  # why the sync failed is one click away
    assert cells[case_table.BACKGROUND_ROLE] == (None,) * len(case_table.COLUMNS)
    assert cells[case_table.FOREGROUND_ROLE][-1] is not None  # the sync column is coloured
    overdue = case_table._cells(row._replace(overdue=True, sync_state="synced"))
    assert None not in overdue[case_table.BACKGROUND_ROLE]
    assert len(set(overdue[case_table.TOOLTIP_ROLE])) == 1
