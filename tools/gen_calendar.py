"""Generate or cross-check app/resources/calendar/cn-<year>.json from chinesecalendar.

The holiday data is a data file with its source (the State Council General Office notice);
chinesecalendar (a dev-only dependency) is the maintained library used to produce it and to
check it. Usage::

    python tools/gen_calendar.py 2024 2025 2026          # (re)write the files
    python tools/gen_calendar.py --check 2024 2025 2026  # exit 1 if a file disagrees
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parent.parent / "app" / "resources" / "calendar"

# The notice for each year. verified=False: the number and date were read from republished
# copies of the notice, not from gov.cn itself; the dates were cross-checked with chinesecalendar.
NOTICES: dict[int, dict[str, Any]] = {
    2024: {
        "number": "国办发明电〔2023〕7号",
        "issued_on": "2023-10-25",
        "note": "Number and text read from republished copies (Wikisource copy of 国务院公报 "
        "2023 No. 31; 人民日报 2023-10-26 p. 6); dates agree with chinesecalendar.",
    },
    2025: {
        "number": "国办发明电〔2024〕12号",
        "issued_on": "2024-11-12",
        "note": "Text read from 光明网 (Xinhua, 2024-11-12); the number only from a "
        "third-party copy; dates agree with chinesecalendar.",
    },
    2026: {
        "number": None,
        "issued_on": "2025-11-04",
        "note": "Text read from 光明网 (Xinhua, 2025-11-04); the notice number was not found. "
        "Dates agree with chinesecalendar.",
    },
}


def _name(detail: Any) -> str:
    holiday = getattr(chinese_calendar, "Holiday", None)
    if holiday is None or detail is None:
        return ""
    try:
        return str(holiday(detail).chinese)
    except ValueError:
        return str(detail)


def build(year: int, version: str) -> dict[str, Any]:
    """The calendar document for ``year`` from chinesecalendar."""
    holidays: list[dict[str, str]] = []
    workdays: list[dict[str, str]] = []
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, detail = chinese_calendar.get_holiday_detail(day)
        weekend = day.weekday() >= 5
        if on_holiday and detail is not None:
            holidays.append({"date": day.isoformat(), "name": _name(detail)})
        elif not on_holiday and weekend:
            workdays.append({"date": day.isoformat(), "name": _name(detail) + "调休上班"})
        day += timedelta(days=1)
    notice = NOTICES.get(year, {"number": None, "note": "notice not recorded"})
    source = {
        "issuer": "国务院办公厅",
        "title": f"国务院办公厅关于{year}年部分节假日安排的通知",
        "number": notice["number"],
        "verified": False,
        "note": notice["note"],
    }
    if "issued_on" in notice:
        source["issued_on"] = notice["issued_on"]
    return {
        "format": 1,
        "year": year,
        "version": version,
        "region": "CN",
        "source": source,
        "generated_by": f"tools/gen_calendar.py, chinesecalendar {chinese_calendar.__version__}",
        "holidays": holidays,
        "workdays": workdays,
    }


def dump(doc: dict[str, Any]) -> str:
    """Stable JSON text for a calendar document."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    # one day per line keeps the file short and its diffs readable
    day_entry = re.compile(r'\{\n\s+"date": (".*?"),\n\s+"name": (".*?")\n\s+\}')
    return day_entry.sub(r'{"date": \1, "name": \2}', text) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("years", nargs="+", type=int)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--version", default=None, help="version to write (default <year>.1)")
    args = parser.parse_args(argv)
    bad = 0
    for year in args.years:
        path = OUT / f"cn-{year}.json"
        if args.check:
            held = json.loads(path.read_text(encoding="utf-8"))
            fresh = build(year, held["version"])
            for key in ("holidays", "workdays"):
                if [d["date"] for d in held[key]] != [d["date"] for d in fresh[key]]:
                    print(f"{path.name}: {key} differ from chinesecalendar", file=sys.stderr)
                    bad += 1
            continue
        path.write_text(dump(build(year, args.version or f"{year}.1")), encoding="utf-8")
        print(f"wrote {path}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
