"""The working-day calendar: data equals chinesecalendar; counting across holidays and 调休."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.domain.datafiles import RuleFileError
from app.domain.workcalendar import (
    CST,
    default_calendar,
    end_of,
    load_calendar,
    to_local,
)

chinese_calendar = pytest.importorskip("chinese_calendar")

YEARS = (2024, 2025, 2026)


@pytest.mark.parametrize("year", YEARS)
def test_calendar_equals_chinese_calendar_every_day(year: int) -> None:
    cal = default_calendar()
    assert cal.has_year(year)
    day = date(year, 1, 1)
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:  # pragma: no cover - depends on the installed library
        pytest.skip(f"chinesecalendar {chinese_calendar.__version__} has no data for {year}")
    while day.year == year:
        assert cal.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


@pytest.mark.parametrize("year", YEARS)
def test_each_year_names_its_notice_and_is_flagged(year: int) -> None:
    data = default_calendar().year(year)
    assert data is not None
    assert data.source["issuer"] == "国务院办公厅"
    assert str(year) in data.source["title"]
    assert data.verified is False  # primary gov.cn text not read: stays flagged


def test_adjusted_working_days_are_working_days() -> None:
    cal = default_calendar()
    # Hand-listed 调休 Saturdays/Sundays from the notices (2024: 2-4, 2-18, 4-7, 4-28, 5-11,
    # 9-14, 9-29, 10-12; 2025: 1-26, 2-8, 4-27, 9-28, 10-11; 2026: 1-4, 2-14, 2-28, 5-9,
    # 9-20, 10-10).
    for text in [
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14",
        "2024-09-29", "2024-10-12", "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
        "2025-10-11", "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
        "2026-10-10",
    ]:  # fmt: skip
        day = date.fromisoformat(text)
        assert day.weekday() >= 5 and cal.is_working_day(day), text
        assert "调休" in cal.day_name(day)


def test_working_days_across_spring_festival_2025() -> None:
    # 2025 notice: 1-28..2-4 off; 1-26 (Sun) and 2-8 (Sat) worked. Report on Fri 1-24:
    # working days after it are Sun 1-26, Mon 1-27, then (holiday) Wed 2-5 -> third is 2-5.
    cal = default_calendar()
    due = cal.add_working_days(datetime(2025, 1, 24, 15, 0, tzinfo=CST), 3)
    assert due.at == datetime(2025, 2, 5, 23, 59, 59, tzinfo=CST)
    assert not due.calendar_missing
    # From Mon 1-27: 2-5, 2-6, 2-7.
    due = cal.add_working_days(datetime(2025, 1, 27, 9, 0, tzinfo=CST), 3)
    assert due.at.date() == date(2025, 2, 7)


def test_working_days_before_national_day_2024() -> None:
    # 2024: 10-1..10-7 off, Sat 10-12 worked. From Mon 9-30: 10-8, 10-9, 10-10.
    due = default_calendar().add_working_days(datetime(2024, 9, 30, 17, 0, tzinfo=CST), 3)
    assert due.at.date() == date(2024, 10, 10)


def test_utc_input_is_counted_on_the_local_day() -> None:
    # 2025-09-30 17:00 UTC is 10-01 01:00 in China: the trigger day is 10-01 (a holiday),
    # so one working day later is 10-09 (10-1..10-8 off).
    start_utc = datetime(2025, 9, 30, 17, 0, tzinfo=UTC)
    assert to_local(start_utc).date() == date(2025, 10, 1)
    due = default_calendar().add_working_days(start_utc, 1)
    assert due.at.date() == date(2025, 10, 9)
    assert due.at.utcoffset() == timedelta(hours=8)


def test_naive_datetime_refused() -> None:
    with pytest.raises(ValueError):
        default_calendar().add_working_days(datetime(2025, 1, 1), 1)


def test_hours_across_a_weekend_ignore_the_calendar() -> None:
    start = datetime(2024, 6, 7, 18, 30, tzinfo=CST)  # Friday before Dragon Boat (6-10)
    assert default_calendar().add_hours(start, 24).at == start + timedelta(hours=24)


def test_calendar_days_and_roll_option() -> None:
    cal = default_calendar()
    start = datetime(2025, 9, 30, 9, 0, tzinfo=CST)
    assert cal.add_calendar_days(start, 3).at == end_of(date(2025, 10, 3))
    rolled = cal.add_calendar_days(start, 3, roll_to_working_day=True)
    assert rolled.at.date() == date(2025, 10, 9)  # 10-1..10-8 off


def test_months_clamp_to_month_end() -> None:
    cal = default_calendar()
    assert cal.add_months(datetime(2025, 12, 31, tzinfo=CST), 2).at.date() == date(2026, 2, 28)
    assert cal.add_months(datetime(2025, 3, 15, tzinfo=CST), 1).at.date() == date(2025, 4, 15)
    due = cal.add_months(datetime(2025, 3, 15, tzinfo=CST), 1, at=time(17, 0))
    assert due.at.time() == time(17, 0)


def test_beyond_the_calendar_weekends_only_with_flag() -> None:
    cal = default_calendar()
    # 2030-01-01 is a Tuesday; with no 2030 data it is treated as a working day.
    due = cal.add_working_days(datetime(2029, 12, 31, 9, 0, tzinfo=CST), 1)
    assert due.at.date() == date(2030, 1, 1)
    assert due.missing_years == (2029, 2030)
    assert due.calendar_missing


def _write(folder: Path, year: int, version: str, extra_holiday: str | None) -> Path:
    src = json.loads(
        (Path(__file__).parents[2] / "app/resources/calendar" / f"cn-{year}.json").read_text(
            encoding="utf-8"
        )
    )
    src["version"] = version
    if extra_holiday:
        src["holidays"].append({"date": extra_holiday, "name": "测试"})
    path = folder / f"cn-{year}-v{version}.json"
    path.write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    return path


def test_newer_file_wins_by_version(tmp_path: Path) -> None:
    _write(tmp_path, 2025, "2025.2", "2025-03-03")
    cal = load_calendar(tmp_path)
    assert not cal.is_working_day(date(2025, 3, 3))
    data = cal.year(2025)
    assert data is not None and data.version == "2025.2"


def test_older_file_loses(tmp_path: Path) -> None:
    _write(tmp_path, 2025, "2025.0", "2025-03-03")
    cal = load_calendar(tmp_path)
    assert cal.is_working_day(date(2025, 3, 3))


def test_broken_file_refused_naming_file_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, 2025, "2025.3", None)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["holidays"][0]["date"] = "2025/01/01"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_calendar(tmp_path)
    assert info.value.file == path.name
    assert info.value.field == "holidays[0].date"
    assert path.name in str(info.value)


def test_day_in_both_lists_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, 2025, "2025.4", "2025-01-26")  # 1-26 is an adjusted working day
    with pytest.raises(RuleFileError) as info:
        load_calendar(tmp_path)
    assert info.value.field == "workdays"
    assert info.value.file == path.name


def test_gen_calendar_check_agrees() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_calendar", Path(__file__).parents[2] / "tools" / "gen_calendar.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--check", *map(str, YEARS)]) == 0
