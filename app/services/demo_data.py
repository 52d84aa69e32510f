"""Realistic demo data: Xuzhou units, persons and companies, environmental and food-and-drug
cases with timelines, documents and deadlines.

Every timeline is one the workflow state machine (app/domain/workflow) accepts: each event
carries the data and ``actor_role`` the machine requires (team members, the head's approval,
reasons, the referral's source and 检察意见 reply period, the materials before a transfer).
Most decided cases are entered on the information-sharing platform, some after the entry
deadline. The deadlines stored are the deadline engine's (app/domain/deadlines.py), converted
as app/services/workflow.py stores them.

The same seed on an empty store gives the same records, ids included (ids are UUIDv7 made
from the record's own time and the seeded random stream), except the demo users' password
hashes, which are salted. Running again on a store that already holds cases draws a
different stream (the seed is mixed with the number of cases present), so ids never clash.

Speed matters (100,000 cases in well under a minute), so rows go in through the raw sqlite3
connection with ``executemany``, one transaction per batch of cases together with the batch's
search rows: an interruption loses at most the batch in progress. One audit entry is written
per run, after the bulk insert.
"""

import json
import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from app.domain.deadlines import Deadline, Engine
from app.domain.kinds import PartyKind, Role, SyncState, UnitKind
from app.domain.passwords import hash_password
from app.domain.workflow import WorkflowEvent
from app.services import demo_catalogue as cat
from app.services.workflow_rows import _values as deadline_values
from app.store import audit
from app.store.db import Store
from app.store.errors import storage_errors
from app.store.search import SearchRow, insert_search_rows, search_texts
from app.store.types import format_utc

_T = TypeVar("_T")

DEMO_PASSWORD = "xianjie2024"
BATCH_CASES = 5000

REFERENCE_DAY = date(2026, 11, 27)
"""The demo's "today": timelines stop here. Fixed, so a seed always gives the same data."""
FIRST_DAY = date(2022, 1, 4)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = 86400
_HOUR = 3600
_REF_END = int((datetime.combine(REFERENCE_DAY, datetime.min.time(), UTC) - _EPOCH).total_seconds())
_REF_END += 9 * _HOUR  # 17:00 Beijing time on the reference day
_FIRST_DAY_NO = (FIRST_DAY - date(1970, 1, 1)).days
_LAST_DAY_NO = (REFERENCE_DAY - date(1970, 1, 1)).days

_META = ("created_at", "updated_at", "version", "sync_state", "sync_error", "server_seq", "deleted")

COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("id", "code", "name", "kind", "region", "division_code", *_META),
    "users": (
        "id",
        "unit_id",
        "username",
        "display_name",
        "role",
        "password_hash",
        "active",
        *_META,
    ),
    "cases": (
        "id",
        "unit_id",
        "case_number",
        "title",
        "domain",
        "category",
        "status",
        "facts",
        "amount_fen",
        "penalty_fen",
        "opened_on",
        "decided_on",
        "spec_version",
        "fields",
        "created_by",
        *_META,
    ),
    "parties": (
        "id",
        "case_id",
        "kind",
        "name",
        "id_number",
        "role",
        "phone",
        "address",
        *_META,
    ),
    "documents": (
        "id",
        "case_id",
        "doc_type",
        "title",
        "number",
        "issued_on",
        "text",
        "page_count",
        *_META,
    ),
    "events": (
        "id",
        "case_id",
        "kind",
        "occurred_at",
        "actor_user_id",
        "actor_unit_id",
        "document_id",
        "note",
        "data",
        *_META,
    ),
    "transfers": (
        "id",
        "case_id",
        "police_unit_id",
        "procuratorate_unit_id",
        "suspected_offence",
        "status",
        "reported_at",
        "sent_at",
        *_META,
    ),
    "referrals": (
        "id",
        "case_id",
        "source_kind",
        "source_unit_id",
        "opinion_number",
        "received_at",
        "reply_due_at",
        "status",
        *_META,
    ),
    "deadlines": (
        "id",
        "case_id",
        "rule_id",
        "node",
        "owed_by",
        "trigger_event_id",
        "due_at",
        "met_at",
        "source",
        *_META,
        "cancelled_at",
        "nature",
        "verified",
        "period_source",
        "counting",
        "label",
    ),
}
_INSERT_ORDER = ("cases", "parties", "documents", "events", "transfers", "referrals", "deadlines")


def _insert_sql(table: str) -> str:
    cols = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    parties: int
    events: int
    documents: int
    users_created: list[str] = field(default_factory=list)
    password: str = DEMO_PASSWORD


# --- identifiers ----------------------------------------------------------------------------

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def ric_check(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2) of a resident ID's first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def org_code_check(first8: str) -> str:
    """GB 11714 check character of an organisation code's first 8 characters."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else ("0" if check == 11 else str(check))


def uscc_check(first17: str) -> str:
    """GB 32100 check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# --- time helpers ---------------------------------------------------------------------------

_DAY_TEXT: dict[int, str] = {}


def _day_text(day_no: int) -> str:
    text = _DAY_TEXT.get(day_no)
    if text is None:
        text = (date(1970, 1, 1) + timedelta(days=day_no)).isoformat()
        _DAY_TEXT[day_no] = text
    return text


_TIME_TEXT: list[str] = []


def ts(seconds: int) -> str:
    """Epoch seconds as the store's UTC text (app.store.types.format_utc)."""
    if not _TIME_TEXT:
        _TIME_TEXT.extend(
            f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.000000Z" for s in range(_DAY)
        )
    day_no, rest = divmod(seconds, _DAY)
    text = _DAY_TEXT.get(day_no)
    if text is None:
        text = _day_text(day_no)
    return text + _TIME_TEXT[rest]


def local_day(seconds: int) -> int:
    """The Beijing-time calendar day (days since 1970-01-01) of an instant."""
    return (seconds + 8 * _HOUR) // _DAY


def _cn_date(day_no: int) -> str:
    d = date(1970, 1, 1) + timedelta(days=day_no)
    return f"{d.year}年{d.month}月{d.day}日"


def _yuan(fen: int) -> str:
    yuan = fen // 100
    return f"{yuan:,}".replace(",", "")


# --- the generator --------------------------------------------------------------------------


@dataclass
class _UnitRec:
    id: str
    code: str
    name: str
    kind: str
    division: cat.Division
    role: str  # env, market, police, procuratorate


class _Gen:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.random = rng.random
        self.batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _INSERT_ORDER}
        self.search_rows: list[SearchRow] = []
        self.counters: dict[tuple[str, str, int], int] = {}
        self.counts = {"cases": 0, "parties": 0, "events": 0, "documents": 0}
        self._type_cum = _cumulative([t.weight for t in cat.CASE_TYPES])
        self._surname_cum = _cumulative(list(cat.SURNAME_WEIGHTS))
        self._env_ind_cum = _cumulative([w for _, w in cat.ENV_INDUSTRIES])
        self._food_ind_cum = _cumulative([w for _, w in cat.FOOD_INDUSTRIES])
        self._drug_ind_cum = _cumulative([w for _, w in cat.DRUG_INDUSTRIES])
        self.units: list[_UnitRec] = []
        self.by_division: dict[tuple[str, str], _UnitRec] = {}
        self.inspector_id: str | None = None
        self.head_id: str | None = None
        self.home_unit_id: str | None = None
        self.engine = Engine()
        self._data_text: dict[tuple[tuple[str, Any], ...], str] = {}

    def deadlines_of(self, events: Sequence[WorkflowEvent]) -> list[Deadline]:
        """``compute_deadlines(events)`` with the default rules and calendar, on one engine."""
        return self.engine.compute(events)

    def data_text(self, data: dict[str, Any]) -> str:
        """``data`` as the events.data JSON text; the common small dicts are cached."""
        if len(data) > 2:
            return json.dumps(data, ensure_ascii=False, sort_keys=True)
        key = tuple(data.items())
        try:
            text = self._data_text.get(key)
        except TypeError:  # a list or dict value
            return json.dumps(data, ensure_ascii=False, sort_keys=True)
        if text is None:
            text = json.dumps(data, ensure_ascii=False, sort_keys=True)
            self._data_text[key] = text
        return text

    def rr(self, start: int, stop: int | None = None) -> int:
        """Like ``randrange`` (one or two arguments), several times faster."""
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def ch(self, seq: Sequence[_T]) -> _T:
        """Like ``choice``, faster."""
        return seq[int(self.random() * len(seq))]

    # ids
    def uid(self, seconds: int) -> str:
        ms = seconds * 1000 + int(self.random() * 1000)
        rand = self.rng.getrandbits(74)
        value = (
            (ms << 80)
            | (0x7 << 76)
            | ((rand >> 62) << 64)
            | (0b10 << 62)
            | (rand & ((1 << 62) - 1))
        )
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def pick(self, cum: list[int]) -> int:
        x = self.rr(cum[-1])
        lo, hi = 0, len(cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if cum[mid] > x:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def number(self, unit: "_UnitRec", word: str, kind: str, year: int) -> str:
        """A document number as printed: 徐铜检行意〔2024〕3号 (GB/T 9704 style)."""
        abbr = "" if unit.division is cat.CITY else unit.division.abbr
        return f"徐{abbr}{word}〔{year}〕{self.serial(unit.id, kind, year)}号"

    def serial(self, unit_id: str, kind: str, year: int) -> int:
        key = (unit_id, kind, year)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        return n

    # people and companies
    def person_name(self) -> tuple[str, bool]:
        male = self.rng.random() < 0.7
        given = self.ch(cat.GIVEN_MALE if male else cat.GIVEN_FEMALE)
        if len(given) == 1 and self.rng.random() < 0.45:
            given = self.ch(cat.GIVEN_MALE if male else cat.GIVEN_FEMALE)[0] + given
        return cat.SURNAMES[self.pick(self._surname_cum)] + given, male

    def resident_id(self, male: bool) -> str:
        division = self.ch(cat.DIVISIONS)
        birth = date(1958, 1, 1) + timedelta(days=self.rr(365 * 44))
        place = division.code
        if division.old_code and birth.year < 2010:
            place = division.old_code
        seq = self.rr(0, 500) * 2 + (1 if male else 0)
        first17 = f"{place}{birth:%Y%m%d}{seq:03d}"
        return first17 + ric_check(first17)

    def uscc(self, division_code: str, prefix: str = "91") -> str:
        if self.random() < 0.6:  # codes issued since 2015 start MA
            body = "MA" + "".join(self.ch(USCC_ALPHABET) for _ in range(6))
        else:
            body = f"{self.rr(10**8):08d}"
        org = body + org_code_check(body)
        first17 = prefix + division_code + org
        return first17 + uscc_check(first17)

    def phone(self) -> str:
        return f"1{self.ch('3578')}{self.rr(10**9):09d}"

    def address(self, division: cat.Division) -> str:
        return (
            f"徐州市{division.name}{self.ch(division.towns)}{self.ch(cat.ROADS)}{self.rr(1, 300)}号"
        )

    def company(self, domain: str, division: cat.Division) -> str:
        rng = self.rng
        if domain == "environment":
            industry = cat.ENV_INDUSTRIES[self.pick(self._env_ind_cum)][0]
        elif domain == "food":
            industry = cat.FOOD_INDUSTRIES[self.pick(self._food_ind_cum)][0]
        else:
            industry = cat.DRUG_INDUSTRIES[self.pick(self._drug_ind_cum)][0]
        if division.name.endswith("区") or rng.random() < 0.4:
            place = self.ch(("徐州", "徐州市", "江苏"))
        else:
            place = division.name
        trade = self.ch(cat.TRADE_NAMES)
        suffix = "有限公司" if rng.random() < 0.85 else "股份有限公司"
        if industry in ("大药房", "医药连锁") and rng.random() < 0.5:
            return f"{place}{trade}{industry}{self.ch(('有限公司', ''))}{trade}店"
        return f"{place}{trade}{industry}{suffix}"

    # records
    def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.batch[table].append(row)

    def flush_rows(
        self,
    ) -> tuple[dict[str, list[tuple[Any, ...]]], list[SearchRow]]:
        rows, search = self.batch, self.search_rows
        self.batch = {t: [] for t in _INSERT_ORDER}
        self.search_rows = []
        return rows, search

    def work_time(self, day_no: int) -> int:
        """An instant during Beijing office hours (08:30-17:00) on ``day_no``."""
        return day_no * _DAY + 30 * 60 + self.rr(8 * _HOUR)  # 00:30Z = 08:30 local

    def after_days(self, t: int, lo: int, hi: int) -> int:
        day = local_day(t) + self.rr(lo, hi + 1)
        if day == local_day(t):
            return t + self.rr(600, 3 * _HOUR)
        return self.work_time(day)

    def case(self, opened_day: int) -> None:
        rng = self.rng
        rr = self.rr
        ct = cat.CASE_TYPES[self.pick(self._type_cum)]
        domain = ct.domain
        role = "env" if domain == "environment" else "market"
        division = self.ch(cat.DIVISIONS)
        at_city = rng.random() < 0.1
        unit = self.by_division[(cat.CITY.code if at_city else division.code, role)]
        police = self.by_division[(cat.CITY.code if at_city else division.code, "police")]
        proc = self.by_division[(cat.CITY.code if at_city else division.code, "procuratorate")]
        home = unit.id == self.home_unit_id
        inspector = self.inspector_id if home else None
        head = self.head_id if home else None

        # the party
        place = f"{division.name}{self.ch(division.towns)}"
        parties: list[tuple[str, str, str, str]] = []  # kind, name, id_number, role
        shop_person = domain != "environment" and rng.random() < 0.3
        if shop_person:
            person, male = self.person_name()
            party_name = person
            town = place[len(division.name) :]
            stem = town[:-2] if town.endswith("街道") else town[:-1]
            shop = f"{stem}{person[0]}记{self.ch(cat.SMALL_SHOPS)}"
            parties.append((PartyKind.PERSON.value, person, self.resident_id(male), "当事人"))
            party_label = f"{shop}经营者{person}"
        else:
            party_name = self.company(domain, division)
            party_label = party_name
            parties.append(
                (PartyKind.ORGANISATION.value, party_name, self.uscc(division.code), "当事人")
            )
            if rng.random() < 0.55:
                person, male = self.person_name()
                who = "法定代表人" if rng.random() < 0.6 else "直接负责的主管人员"
                parties.append((PartyKind.PERSON.value, person, self.resident_id(male), who))

        # the facts and whether a criminal threshold is met (domain.md §7)
        slots: dict[str, Any] = {
            "date": _cn_date(opened_day - rr(1, 6)),
            "place": place,
            "party": party_label,
            "spot": self.ch(cat.SPOTS),
        }
        fields: dict[str, Any] = {}
        crime = False
        amount_fen: int | None = None
        if ct.code in ("hazardous_waste_dumping", "unlicensed_hazardous_waste_business"):
            waste, hw = self.ch(cat.WASTES)
            qty = round(rng.uniform(3.0, 40.0) if rng.random() < 0.07 else rng.uniform(0.2, 2.9), 1)
            slots.update(waste=waste, hw=hw, qty=qty)
            fields.update(waste=waste, hw_class=hw, quantity_t=qty)
            crime = qty >= 3.0
            if ct.code == "unlicensed_hazardous_waste_business":
                gain = rr(20_000, 600_000)
                slots["gain"] = gain
                amount_fen = gain * 100
                crime = crime or gain >= 300_000
        elif ct.code == "over_standard_discharge":
            pollutant, limit = self.ch(cat.POLLUTANTS)
            if limit and rng.random() < 0.1:
                multiple = round(rng.uniform(limit, limit * 4), 1)
            else:
                multiple = round(rng.uniform(0.1, (limit or 6) * 0.9), 1)
            slots.update(pollutant=pollutant, multiple=multiple)
            fields.update(pollutant=pollutant, exceed_multiple=multiple)
            crime = bool(limit) and multiple >= limit
        elif ct.code == "monitoring_data_falsification":
            pollutant = self.ch(cat.AIR_POLLUTANTS)
            slots["pollutant"] = pollutant
            crime = rng.random() < 0.15  # a key polluting unit: a crime (ENV-INT2023 Art 1(7))
            fields.update(pollutant=pollutant, key_polluter=crime)
        else:
            gain = rr(2_000, 400_000)
            amount_fen = gain * 100
            slots.update(
                gain=gain,
                food=self.ch(cat.FOODS),
                defect=self.ch(cat.DEFECTS),
                additive=self.ch(cat.ADDITIVES),
                drug=self.ch(cat.DRUGS),
                qty=round(rng.uniform(0.1, 3.0), 1),
            )
            fields["amount_yuan"] = gain
            if ct.code in ("food_toxic_additive", "fake_drug"):
                crime = True  # conduct offences: no amount needed
            elif ct.code == "unlicensed_drug_business":
                crime = gain >= 100_000
            elif ct.code == "sick_meat":
                crime = rng.random() < 0.3
            else:
                crime = rng.random() < 0.08
        fields["threshold_met"] = crime
        fields["case_type"] = ct.code
        facts = ct.facts.format(**slots)
        evidence = ct.evidence.format(**slots)
        title = f"{party_name}{ct.label}案"

        # the timeline
        case_t = self.work_time(opened_day)
        case_id = self.uid(case_t)
        # kind, t, unit, note, doc, data
        events: list[tuple[str, int, str | None, str, str | None, dict[str, Any]]] = []
        documents: list[
            tuple[str, str, str, str, int, str]
        ] = []  # id, type, title, number, t, text
        transfer: tuple[Any, ...] | None = None
        referral: tuple[Any, ...] | None = None

        def doc(t: int, doc_type: str, dtitle: str, number: str, text: str) -> str:
            doc_id = self.uid(t)
            documents.append((doc_id, doc_type, dtitle, number, t, text))
            return doc_id

        def ev(
            kind: str,
            t: int,
            actor: str | None = None,
            note: str = "",
            d: str | None = None,
            data: dict[str, Any] | None = None,
        ) -> int:
            events.append((kind, t, actor or unit.id, note, d, data or {}))
            return len(events) - 1

        year = (date(1970, 1, 1) + timedelta(days=opened_day)).year
        prefix = ("徐" if unit.division is cat.CITY else "徐" + unit.division.abbr) + (
            "环" if role == "env" else "市监"
        )
        reverse = rng.random() < 0.04
        ref_src = self.ch(cat.REFERRAL_SOURCES) if reverse else None
        referral_t = 0
        opinion_no = ""
        ev("case_opened", case_t, note=f"立案：{ct.label}", data={"domain": domain})
        if reverse:
            assert ref_src is not None
            # the case is opened on receipt; the referring decision was taken days before
            src_decided = case_t - rr(1, 6) * _DAY
            referral_t = case_t + rr(300, _HOUR)
            ref_data: dict[str, Any] = {
                "source": ref_src[0],
                "decided_at": format_utc(_EPOCH + timedelta(seconds=src_decided)),
            }
            op_id: str | None = None
            if ref_src[0] == "non_prosecution":
                opinion_no = self.number(proc, "检行意", "opinion", year)
                months = rng.random() < 0.8
                op_id = doc(
                    src_decided,
                    "procuratorial_opinion",
                    "检察意见书",
                    opinion_no,
                    f"对{party_label}{ct.label}一案，本院决定不起诉，建议依法给予行政处罚，"
                    f"并在{'两个月' if months else '三十日'}内书面回复。",
                )
                ref_data["opinion"] = {
                    "number": opinion_no,
                    "reply_period": {"amount": 2, "unit": "months"}
                    if months
                    else {"amount": 30, "unit": "days"},
                }
            ev("referral_received", referral_t, proc.id, ref_src[1], op_id, ref_data)
            ev("handling_started", referral_t + rr(600, 2 * _HOUR), note="反向移送案件立案办理")
            crime = False
        t = self.after_days(case_t, 0, 7)
        stalled = rng.random() < 0.03
        if t <= _REF_END:
            insp_id = doc(
                t,
                "inspection_record",
                "现场检查笔录",
                "",
                f"检查地点：{place}；检查情况：{evidence}。",
            )
            ev("evidence_collected", t, note="现场检查、采样", d=insp_id)
            if rng.random() < 0.7:
                lab_t = self.after_days(t, 3, 15)
                if lab_t <= _REF_END:
                    doc(
                        lab_t,
                        "test_report",
                        "检验报告",
                        f"徐环监（{year}）第{rr(1, 3000):04d}号"
                        if role == "env"
                        else f"徐食检字〔{year}〕{rr(1, 3000)}号",
                        f"检验结论：{evidence}。",
                    )
        if len(parties) > 1 or parties[0][0] == PartyKind.PERSON.value:
            questioned = parties[-1]
            if t + _DAY <= _REF_END:
                doc(
                    t + _DAY,
                    "interrogation_record",
                    "询问笔录",
                    "",
                    f"被询问人：{questioned[1]}（{questioned[3]}），对上述事实无异议。",
                )

        penalty_fen: int | None = None
        decided_t: int | None = None
        transfer_status = ""
        pre_penalty = crime and rng.random() < 0.15  # a penalty imposed before the transfer

        def decide(after: int) -> int | None:
            nonlocal penalty_fen, decided_t
            notice_t = self.after_days(after, 10, 45)
            if notice_t > _REF_END or stalled:
                return None
            ev("penalty_notice", notice_t, note="告知拟作出的行政处罚及陈述、申辩、听证权利")
            dec_t = self.after_days(notice_t, 5, 20)
            if dec_t > _REF_END:
                return None
            if role == "env":
                penalty_fen = rr(10, 100) * 1_000_000
            else:
                base = (amount_fen or 1_000_000) // 100
                penalty_fen = max(5_000, base * rr(5, 16)) * 100
            number = f"{prefix}罚〔{year}〕{self.serial(unit.id, 'penalty', year)}号"
            d = doc(
                dec_t,
                "penalty_decision",
                "行政处罚决定书",
                number,
                f"当事人{party_label}{ct.label}，违反{ct.law}，决定处以罚款{_yuan(penalty_fen)}元。",
            )
            ev("penalty_decided", dec_t, actor=unit.id, note=f"罚款{_yuan(penalty_fen)}元", d=d)
            decided_t = dec_t
            return dec_t

        case_number = ""
        last_t = events[-1][1]
        if crime:
            start = last_t
            if pre_penalty:
                got = decide(start)
                start = got if got is not None else start
            sus_t = self.after_days(start, 2, 20)
            if sus_t <= _REF_END:
                ev("crime_suspected", sus_t, note=f"涉嫌{ct.offence}")
                members = [self.person_name()[0], self.person_name()[0]]
                if members[0] == members[1]:
                    members[1] += "（二）"
                ev(
                    "team_formed",
                    sus_t + rr(600, 3 * _HOUR),
                    note="指派二名以上执法人员组成专案组",
                    data={"members": members},
                )
                rep_t = self.after_days(sus_t, 1, 6)
                if rep_t <= _REF_END:
                    doc(
                        rep_t,
                        "investigation_report",
                        "涉嫌犯罪案件调查报告",
                        "",
                        f"{party_label}{ct.label}，{evidence}，涉嫌{ct.offence}，建议移送公安机关。",
                    )
                    ev(
                        "transfer_reported",
                        rep_t,
                        note="提交移送涉嫌犯罪案件的书面报告",
                        data={"offence": ct.offence},
                    )
                    transfer_status = "reported"
                    approve_t = rep_t + rr(
                        2 * _HOUR, (3 * _DAY if rng.random() < 0.9 else 6 * _DAY)
                    )
                    refuse = rng.random() < 0.05
                    ap_met: int | None = None
                    if approve_t <= _REF_END and not (rng.random() < 0.03):
                        ap_met = approve_t
                        if refuse:
                            ev(
                                "transfer_refused",
                                approve_t,
                                note="负责人不批准移送，理由已记录在案",
                                data={"reason": "现有证据不足以认定涉嫌犯罪，依法给予行政处罚"},
                            )
                            transfer_status = "refused"
                        else:
                            ev("transfer_approved", approve_t, note="负责人批准移送")
                            transfer_status = "approved"
                    if transfer_status == "approved":
                        assert ap_met is not None
                        send_t = ap_met + rr(
                            _HOUR, 22 * _HOUR if rng.random() < 0.92 else 40 * _HOUR
                        )
                        sent: int | None = send_t if send_t <= _REF_END else None
                        if sent is not None:
                            tno = f"{prefix}移〔{year}〕{self.serial(unit.id, 'transfer', year)}号"
                            letter = doc(
                                sent,
                                "transfer_letter",
                                "涉嫌犯罪案件移送书",
                                tno,
                                f"{party_label}涉嫌{ct.offence}一案，现移送你局依法处理。",
                            )
                            doc(sent, "seized_items_list", "涉案物品清单", "", evidence)
                            doc(
                                sent,
                                "materials_list",
                                "材料目录",
                                "",
                                "移送书、调查报告、涉案物品清单、检验报告、现场检查笔录、询问笔录",
                            )
                            attached = {x[1] for x in documents if x[4] <= sent}
                            testing = "test_report" in attached
                            if not testing and rng.random() < 0.5:
                                # the test report is still pending: the head lets it go first
                                testing = True
                                ev(
                                    "materials_waived",
                                    sent - rr(60, 600),
                                    note="检验报告尚未出具，同意先行移送",
                                    data={"reason": "检验报告尚未出具，出具后补送"},
                                )
                            ev(
                                "transferred",
                                sent,
                                note=f"移送{police.name}",
                                d=letter,
                                data={
                                    "doc_types": sorted(attached),
                                    "items_seized": True,
                                    "testing_needed": testing,
                                    "police_unit": police.name,
                                },
                            )
                            ev(
                                "copied_to_procuratorate",
                                sent + rr(60, 1800),
                                note=f"抄送{proc.name}",
                            )
                            transfer_status = "sent"
                            rec_t = sent + rr(_HOUR, 2 * _DAY)
                            if rec_t <= _REF_END:
                                ev(
                                    "receipt_signed",
                                    rec_t,
                                    actor=police.id,
                                    note="签收涉嫌犯罪案件移送书回执",
                                )
                                transfer_status = "received"
                                dec_t2 = rec_t + rr(
                                    _HOUR, 3 * _DAY if rng.random() < 0.85 else 9 * _DAY
                                )
                                if dec_t2 <= _REF_END and rng.random() > 0.02:
                                    if rng.random() < 0.78:
                                        n = self.number(police, "公（食药环）立字", "filing", year)
                                        fd = doc(
                                            dec_t2,
                                            "filing_notice",
                                            "立案告知书",
                                            n,
                                            f"你单位移送的{party_label}涉嫌{ct.offence}一案，我局已决定立案侦查。",
                                        )
                                        ev(
                                            "police_filed",
                                            dec_t2,
                                            actor=police.id,
                                            note="决定立案",
                                            d=fd,
                                        )
                                        transfer_status = "filed"
                                    else:
                                        n = self.number(
                                            police, "公（食药环）不立字", "nonfiling", year
                                        )
                                        fd = doc(
                                            dec_t2,
                                            "non_filing_notice",
                                            "不予立案通知书",
                                            n,
                                            f"你单位移送的{party_label}一案，经审查认为不构成犯罪，决定不予立案，案卷材料一并退回。",
                                        )
                                        ev(
                                            "police_not_filed",
                                            dec_t2,
                                            actor=police.id,
                                            note="不予立案，退回案卷",
                                            d=fd,
                                            data={"reason": "经审查认为不构成犯罪"},
                                        )
                                        transfer_status = "not_filed"
                                        referral = ("police_non_filing", police.id, n, dec_t2, None)
                    transfer = (transfer_status, rep_t)
            if transfer_status in ("refused", "not_filed") and decided_t is None:
                decide(events[-1][1])
        else:
            decide(last_t)
        # entry on the information-sharing platform: most decided cases, some late
        if decided_t is not None and rng.random() < 0.8:
            late = rng.random() < 0.15
            entry_t = (
                self.after_days(decided_t, 8, 40) if late else self.after_days(decided_t, 0, 6)
            )
            if entry_t <= _REF_END:
                ev("platform_entered", entry_t, note="录入行政执法与刑事司法衔接信息共享平台")
        # closing
        last_t = max(e[1] for e in events)
        if reverse:
            replied: int | None = None
            if decided_t is not None:
                reply_t = self.after_days(max(decided_t, referral_t), 1, 20)
                if reply_t <= _REF_END:
                    ev(
                        "reply_sent",
                        reply_t,
                        note=f"书面回复{proc.name}处理结果",
                        data={"final": True},
                    )
                    replied = reply_t
            assert ref_src is not None
            referral = (ref_src[0], proc.id, opinion_no, referral_t, None, replied)
        elif decided_t is not None and transfer_status in ("", "refused", "not_filed"):
            c_t = self.after_days(max(decided_t, last_t), 15, 120)
            if c_t <= _REF_END and rng.random() < 0.7:
                ev("closed", c_t, note="罚款已缴纳，结案", data={"reason": "罚款已缴纳，结案"})

        # derive the status from the timeline
        status = status_from_events([e[0] for e in events])
        if decided_t is not None:
            case_number = next(d[3] for d in documents if d[1] == "penalty_decision")
        else:
            case_number = f"{prefix}立〔{year}〕{self.serial(unit.id, 'filing', year)}号"
        fields["_completeness"] = completeness_score(case_id, decided=decided_t is not None)

        # --- rows
        created = ts(case_t)
        last_event_t = max(e[1] for e in events)
        updated = ts(last_event_t)
        meta_new = (1, SyncState.PENDING.value, None, None, 0)
        decided_on = _day_text(local_day(decided_t)) if decided_t is not None else None
        self.add(
            "cases",
            (
                case_id,
                unit.id,
                case_number,
                title,
                domain,
                cat.ENTRY_STANDARD[ct.code],
                status,
                facts,
                amount_fen,
                penalty_fen,
                _day_text(opened_day),
                decided_on,
                cat.ENTRY_STANDARD_VERSION,
                json.dumps(fields, ensure_ascii=False, sort_keys=True),
                inspector if home else None,
                created,
                updated,
                *meta_new,
            ),
        )
        party_text: list[tuple[str, str]] = []
        for kind, name, id_number, prole in parties:
            division_for = division
            self.add(
                "parties",
                (
                    self.uid(case_t),
                    case_id,
                    kind,
                    name,
                    id_number,
                    prole,
                    self.phone() if kind == PartyKind.PERSON.value or rng.random() < 0.5 else "",
                    self.address(division_for),
                    created,
                    created,
                    *meta_new,
                ),
            )
            party_text.append((name, id_number))
        doc_text: list[tuple[str, str, str]] = []
        documents.sort(key=lambda d: d[4])
        for doc_id, doc_type, dtitle, number, dt, text in documents:
            self.add(
                "documents",
                (
                    doc_id,
                    case_id,
                    doc_type,
                    dtitle,
                    number,
                    _day_text(local_day(dt)),
                    text,
                    rr(1, 13),
                    ts(dt),
                    ts(dt),
                    *meta_new,
                ),
            )
            doc_text.append((dtitle, number, text))
        events.sort(key=lambda e: e[1])
        timeline: list[WorkflowEvent] = []
        trigger_at: dict[str, int] = {}
        for kind, et, actor_unit, note, event_doc, data in events:
            eid = self.uid(et)
            et_text = ts(et)
            trigger_at[eid] = et
            actor_user = None
            own = actor_unit == unit.id
            head_step = kind in _HEAD_KINDS
            if home and own:
                actor_user = head if head_step else inspector
            # the role of whoever recorded the step in the unit's client (a clerk records what
            # the police or the procuratorate did)
            role_code = _HEAD if head_step else (_INSPECTOR if own else _CLERK)
            data["actor_role"] = role_code
            self.add(
                "events",
                (
                    eid,
                    case_id,
                    kind,
                    et_text,
                    actor_user,
                    actor_unit,
                    event_doc,
                    note,
                    self.data_text(data),
                    et_text,
                    et_text,
                    *meta_new,
                ),
            )
            timeline.append(
                WorkflowEvent(
                    id=eid,
                    kind=kind,
                    occurred_at=_EPOCH + timedelta(seconds=et),
                    actor_role=role_code,
                    actor_user_id=actor_user,
                    actor_unit_id=actor_unit,
                    document_id=event_doc,
                    note=note,
                    data=data,
                )
            )
        # deadlines: exactly what the deadline engine computes for the timeline, converted
        # as app/services/workflow.py stores them
        reply_due: datetime | None = None
        for computed in self.deadlines_of(timeline):
            values = deadline_values(computed)
            opened = trigger_at[computed.trigger_event_id]
            opened_text = ts(opened)
            if computed.rule_id == "reply_to_opinion":
                reply_due = computed.due_at
            met_at, cancelled_at = values["met_at"], values["cancelled_at"]
            self.add(
                "deadlines",
                (
                    self.uid(opened),
                    case_id,
                    computed.rule_id,
                    values["node"],
                    values["owed_by"],
                    computed.trigger_event_id,
                    format_utc(values["due_at"]),
                    format_utc(met_at) if met_at is not None else None,
                    values["source"],
                    opened_text,
                    opened_text,
                    *meta_new,
                    format_utc(cancelled_at) if cancelled_at is not None else None,
                    values["nature"],
                    1 if values["verified"] else 0,
                    values["period_source"],
                    values["counting"],
                    values["label"],
                ),
            )
        if transfer is not None:
            tstatus, rep_t = transfer
            sent_t = next((e[1] for e in events if e[0] == "transferred"), None)
            self.add(
                "transfers",
                (
                    self.uid(rep_t),
                    case_id,
                    police.id,
                    proc.id,
                    ct.offence,
                    tstatus,
                    ts(rep_t),
                    ts(sent_t) if sent_t else None,
                    ts(rep_t),
                    ts(sent_t or rep_t),
                    *meta_new,
                ),
            )
        if referral is not None:
            src_kind, src_unit, number, rec_t = referral[:4]
            due_text: str | None = None
            if src_kind == "police_non_filing":
                handled = decided_t is not None and decided_t > rec_t
                state = "handled" if handled else "received"
                changed_t = decided_t if handled and decided_t else rec_t
            else:
                replied = referral[5]
                due_text = format_utc(reply_due) if reply_due is not None else None
                state = "replied" if replied else "received"
                changed_t = replied or rec_t
            self.add(
                "referrals",
                (
                    self.uid(rec_t),
                    case_id,
                    src_kind,
                    src_unit,
                    number,
                    ts(rec_t),
                    due_text,
                    state,
                    ts(rec_t),
                    ts(changed_t),
                    *meta_new,
                ),
            )
        self.search_rows.append(
            (
                case_id,
                _day_text(opened_day),
                search_texts(case_number, title, facts, party_text, doc_text),
            )
        )
        self.counts["cases"] += 1
        self.counts["parties"] += len(parties)
        self.counts["events"] += len(events)
        self.counts["documents"] += len(documents)


_HEAD, _INSPECTOR, _CLERK = Role.HEAD.value, Role.INSPECTOR.value, Role.CLERK.value
_HEAD_KINDS = frozenset(
    {"transfer_approved", "transfer_refused", "materials_waived", "penalty_decided"}
)

_COMPLETENESS_BANDS: dict[bool, tuple[tuple[float, int, int], ...]] = {
    # decided: (share of cases, lowest score, highest score)
    True: ((0.82, 100, 100), (0.10, 85, 99), (0.06, 60, 84), (0.02, 30, 59)),
    False: ((0.45, 100, 100), (0.30, 70, 99), (0.20, 40, 69), (0.05, 10, 39)),
}


def completeness_score(case_id: str, *, decided: bool) -> int:
    """The demo case's entry completeness (``fields["_completeness"]``, 0-100).

    Most decided cases are complete; cases still under investigation less often. Drawn from
    the id's random low bits, not from the seeded stream, so the rest of the data is unchanged.
    """
    u = int(case_id[-12:], 16) / float(1 << 48)
    for share, low, high in _COMPLETENESS_BANDS[decided]:
        if u < share:
            return low + int((u / share) * (high - low + 1))
        u -= share
    return _COMPLETENESS_BANDS[decided][-1][1]


def status_from_events(kinds: list[str]) -> str:
    """A case's status as its timeline gives it (events in time order)."""
    status = "open"
    penalised = False
    for kind in kinds:
        if kind == "referral_received":
            status = "referred_back"
        elif kind == "penalty_decided":
            penalised = True
            if status in ("open", "not_filed"):
                status = "decided"
        elif kind == "transfer_reported":
            status = "transfer_pending"
        elif kind == "transfer_refused":
            status = "decided" if penalised else "open"
        elif kind == "transferred":
            status = "transferred"
        elif kind == "police_filed":
            status = "filed"
        elif kind == "police_not_filed":
            status = "not_filed"
        elif kind in ("reply_sent", "closed"):
            status = "closed"
    return status


def _cumulative(weights: list[int]) -> list[int]:
    out: list[int] = []
    total = 0
    for w in weights:
        total += w
        out.append(total)
    return out


# --- units and users --------------------------------------------------------------------------


def _unit_specs() -> list[tuple[cat.Division, str, str, str]]:
    """(division, role, kind, name) for every demo unit, city level first."""
    specs: list[tuple[cat.Division, str, str, str]] = [
        (cat.CITY, "env", UnitKind.ENFORCEMENT.value, "徐州市生态环境局"),
        (cat.CITY, "market", UnitKind.ENFORCEMENT.value, "徐州市市场监督管理局"),
        (cat.CITY, "police", UnitKind.POLICE.value, "徐州市公安局"),
        (cat.CITY, "procuratorate", UnitKind.PROCURATORATE.value, "徐州市人民检察院"),
    ]
    for d in cat.DIVISIONS:
        district = d.name.endswith("区")
        city_prefix = "徐州市" if district else ""
        specs.append((d, "env", UnitKind.ENFORCEMENT.value, f"徐州市{d.short}生态环境局"))
        specs.append(
            (d, "market", UnitKind.ENFORCEMENT.value, f"{city_prefix}{d.name}市场监督管理局")
        )
        police = f"徐州市公安局{d.short}分局" if district else f"{d.name}公安局"
        specs.append((d, "police", UnitKind.POLICE.value, police))
        specs.append(
            (d, "procuratorate", UnitKind.PROCURATORATE.value, f"{city_prefix}{d.name}人民检察院")
        )
    return specs


HOME_UNIT_NAME = "徐州市铜山生态环境局"
DEMO_USERS = (
    ("admin", "系统管理员", Role.ADMIN.value),
    ("inspector", "张伟", Role.INSPECTOR.value),
    ("clerk", "李娜", Role.CLERK.value),
    ("head", "王建国", Role.HEAD.value),
)
_SETUP_T = int((datetime(2022, 1, 3, 1, 0, tzinfo=UTC) - _EPOCH).total_seconds())


def _ensure_units_and_users(conn: Any, gen: _Gen, unit_rng: random.Random) -> list[str]:
    """Create the demo units that are missing (by code) and, on an empty store, the users."""
    existing = {row[0]: row[1] for row in conn.execute("SELECT code, id FROM units")}
    meta_new = (1, SyncState.PENDING.value, None, None, 0)
    created_units: list[tuple[Any, ...]] = []
    ugen = _Gen(unit_rng)
    for division, role, kind, name in _unit_specs():
        code = ugen.uscc(division.code, prefix="11")
        unit_id = ugen.uid(_SETUP_T)
        by_name = conn.execute("SELECT id, code FROM units WHERE name = ?", (name,)).fetchone()
        if by_name is not None:
            unit_id, code = by_name
        elif code in existing:
            unit_id = existing[code]
        else:
            stamp = ts(_SETUP_T)
            created_units.append(
                (unit_id, code, name, kind, division.name, division.code, stamp, stamp, *meta_new)
            )
        rec = _UnitRec(unit_id, code, name, kind, division, role)
        gen.units.append(rec)
        gen.by_division[(division.code, role)] = rec
    if created_units:
        conn.executemany(_insert_sql("units"), created_units)
    home = next(u for u in gen.units if u.name == HOME_UNIT_NAME)
    gen.home_unit_id = home.id
    users_created: list[str] = []
    if conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0:
        stamp = ts(_SETUP_T + 600)
        rows = []
        for username, display, role in DEMO_USERS:
            rows.append(
                (
                    ugen.uid(_SETUP_T + 600),
                    home.id,
                    username,
                    display,
                    role,
                    hash_password(DEMO_PASSWORD),
                    1,
                    stamp,
                    stamp,
                    *meta_new,
                )
            )
            users_created.append(username)
        conn.executemany(_insert_sql("users"), rows)
    for role_code, attr in ((Role.INSPECTOR.value, "inspector_id"), (Role.HEAD.value, "head_id")):
        row = conn.execute(
            "SELECT id FROM users WHERE role = ? AND unit_id = ? ORDER BY id LIMIT 1",
            (role_code, home.id),
        ).fetchone()
        setattr(gen, attr, row[0] if row else None)
    return users_created


# --- entry point ------------------------------------------------------------------------------


_Batch = tuple[dict[str, list[tuple[Any, ...]]], list[SearchRow]]
_INSERT_SQL = {t: _insert_sql(t) for t in _INSERT_ORDER}


def _insert_batch(
    conn: sqlite3.Connection,
    rows: dict[str, list[tuple[Any, ...]]],
    search_rows: list[SearchRow],
) -> None:
    """One batch of cases, their children and search rows, in one transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in _INSERT_ORDER:
            if rows[table]:
                conn.executemany(_INSERT_SQL[table], rows[table])
        insert_search_rows(conn, search_rows)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back already (disk full)
            conn.execute("ROLLBACK")
        raise


def refresh_statistics(conn: sqlite3.Connection) -> None:
    """Planner statistics after a bulk load (sampled, so it takes well under a second).

    Without them SQLite may choose poor plans for the case list over 100,000 cases.
    """
    conn.execute("PRAGMA analysis_limit=1000")
    conn.execute("ANALYZE")


def generate(
    store: Store,
    *,
    cases: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Fill ``store`` with ``cases`` demo cases (and units and users when missing).

    A full disk or another storage failure raises :class:`app.errors.StorageError`; the
    batches committed before it stay.
    """
    with storage_errors(store.paths.database):
        return _generate(store, cases=cases, seed=seed, progress=progress)


def _generate(
    store: Store,
    *,
    cases: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
) -> DemoSummary:
    conn = store.raw_connection()
    conn.isolation_level = None  # transactions are explicit
    try:
        present = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        gen = _Gen(random.Random(f"xianjie-demo:{seed}:{present}"))
        conn.execute("BEGIN IMMEDIATE")
        try:
            users_created = _ensure_units_and_users(
                conn, gen, random.Random(f"xianjie-units:{seed}")
            )
            for unit_id, n in conn.execute("SELECT unit_id, count(*) FROM cases GROUP BY unit_id"):
                for year in range(FIRST_DAY.year, REFERENCE_DAY.year + 1):
                    for kind in ("penalty", "filing", "transfer"):
                        gen.counters[(unit_id, kind, year)] = n
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise
        # Cases are made in the order they were opened, so record ids (UUIDv7, time-ordered)
        # arrive roughly in index order: the bulk load appends instead of scattering pages.
        day_rng = random.Random(f"xianjie-demo-days:{seed}:{present}")
        days = sorted(day_rng.randrange(_FIRST_DAY_NO, _LAST_DAY_NO + 1) for _ in range(cases))
        done = 0
        for start in range(0, cases, BATCH_CASES):
            for day in days[start : start + BATCH_CASES]:
                gen.case(day)
            _insert_batch(conn, *gen.flush_rows())
            done = min(cases, start + BATCH_CASES)
            if progress is not None:
                progress(done, cases)
        refresh_statistics(conn)
    finally:
        conn.close()
    summary = DemoSummary(
        cases=gen.counts["cases"],
        parties=gen.counts["parties"],
        events=gen.counts["events"],
        documents=gen.counts["documents"],
        users_created=users_created,
        password=DEMO_PASSWORD,
    )
    with store.session() as session:
        audit.record(
            session,
            "demo_data",
            entity="cases",
            detail={
                "seed": seed,
                "cases": summary.cases,
                "parties": summary.parties,
                "events": summary.events,
                "documents": summary.documents,
                "users_created": users_created,
            },
        )
    return summary
