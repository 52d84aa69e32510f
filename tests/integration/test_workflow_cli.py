"""The whole forward transfer and reverse referral driven through the real CLI (subprocesses),
with the generated PDFs checked and the stored deadlines compared with the engine's."""

import json
import sqlite3
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from app.domain.workcalendar import CST
from app.paths import DataPaths
from app.store.db import Store, open_store
from tests.conftest import CliResult, RunCli
from tests.integration.pdf_checks import check_pdf
from tests.integration.workflow_seed import Desk, assert_deadlines_match_engine, seed_desk


@pytest.fixture
def desk(store: Store) -> Desk:
    return seed_desk(store)


class Driver:
    """Runs ``xianjie --data-dir … COMMAND`` and checks the outcome."""

    def __init__(self, run_cli: RunCli, data: DataPaths) -> None:
        self.run_cli = run_cli
        self.data = data

    def __call__(self, *args: str | Path) -> CliResult:
        return self.run_cli("--data-dir", self.data.root, *args)

    def ok(self, *args: str | Path) -> CliResult:
        done = self(*args)
        assert done.returncode == 0, done.stderr
        return done

    def event(
        self,
        case: str,
        kind: str,
        at: str,
        user: str,
        data: dict[str, object] | None = None,
        *extra: str | Path,
    ) -> dict[str, object]:
        done = self.ok(
            "event",
            case,
            kind,
            "--at",
            at,
            "--user",
            user,
            "--data",
            json.dumps(data or {}, ensure_ascii=False),
            "--json",
            *extra,
        )
        result: dict[str, object] = done.json()
        return result

    def refused(self, *args: str | Path) -> str:
        done = self(*args)
        assert done.returncode == 1, done.stdout
        assert len(done.error_lines) == 1, done.stderr
        return done.error_lines[0]


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("events", "deadlines", "documents", "transfers", "referrals", "audit_log")
        }


def test_forward_transfer_through_the_cli(
    run_cli: RunCli, data_paths: DataPaths, store: Store, desk: Desk, tmp_path: Path
) -> None:
    cli = Driver(run_cli, data_paths)
    case = desk.forward_case
    report = tmp_path / "调查报告.pdf"
    report.write_bytes(b"%PDF-1.4\n% investigation report stand-in\n")
    test_report = tmp_path / "检测报告.pdf"
    test_report.write_bytes(b"%PDF-1.4\n% test report stand-in\n")

    cli.event(case, "case_opened", "2025-03-03T09:00:00+08:00", "wang", {"domain": "environment"})
    cli.event(
        case,
        "evidence_collected",
        "2025-03-04T10:00:00+08:00",
        "wang",
        {
            "seized_items": [
                {"name": "废酸桶", "quantity": 12, "unit": "个", "place": "铜山区暂存库"}
            ]
        },
        "--doc",
        test_report,
        "--doc-type",
        "test_report",
    )
    cli.event(case, "crime_suspected", "2025-03-05T09:00:00+08:00", "wang")
    team = cli.event(
        case,
        "team_formed",
        "2025-03-05T10:00:00+08:00",
        "wang",
        {"members": [desk.inspector.id, desk.inspector2.id]},
    )
    assert team["status"] == "crime_suspected"
    reported = cli.event(
        case,
        "transfer_reported",
        "2025-03-06T16:00:00+08:00",
        "wang",
        {
            "offence": "污染环境罪",
            "police_unit": "徐州市公安局铜山分局",
            "procuratorate_unit": "徐州市铜山区人民检察院",
        },
        "--doc",
        report,
        "--doc-type",
        "investigation_report",
    )
    assert reported["status"] == "transfer_pending" and reported["transfer_id"]

    # Only a head approves; the refusal is Chinese and nothing is written.
    before = _counts(data_paths.database)
    line = cli.refused(
        "event", case, "transfer_approved", "--at", "2025-03-07T09:00:00+08:00", "--user", "wang"
    )
    assert "只能由负责人" in line
    assert _counts(data_paths.database) == before
    # The head has 3 days from the report: stored, with its source.
    listed = cli.ok("deadlines", "--at", "2025-03-07T09:00:00+08:00", "--json").json()
    head = [d for d in listed["deadlines"] if d["rule_id"] == "head_decision"]
    assert len(head) == 1 and head[0]["source"].startswith("R2020 第5条")
    due = datetime.combine(date(2025, 3, 6) + timedelta(days=3), time(23, 59, 59), CST)
    assert datetime.fromisoformat(head[0]["due_at"]) == due

    approved = cli.event(case, "transfer_approved", "2025-03-07T09:00:00+08:00", "zhao")
    assert approved["status"] == "transfer_approved"

    # Sending is blocked until the materials are complete.
    before = _counts(data_paths.database)
    line = cli.refused(
        "event",
        case,
        "transferred",
        "--at",
        "2025-03-07T10:00:00+08:00",
        "--user",
        "wang",
        "--data",
        json.dumps({"items_seized": True, "testing_needed": True}),
    )
    assert "移送材料不全" in line and "涉嫌犯罪案件移送书" in line and "涉案物品清单" in line
    assert _counts(data_paths.database) == before

    pdfs = {}
    for doc_type in ("seized_items_list", "transfer_letter", "materials_list"):
        out = tmp_path / f"{doc_type}.pdf"
        cli.ok(
            "make-document",
            case,
            doc_type,
            "--user",
            "wang",
            "--at",
            "2025-03-07T10:30:00+08:00",
            "--out",
            out,
        )
        pdfs[doc_type] = out
    sent = cli.event(
        case,
        "transferred",
        "2025-03-07T11:00:00+08:00",
        "wang",
        {"items_seized": True, "testing_needed": True},
    )
    assert sent["status"] == "transferred"
    steps = cli.ok("next-steps", case, "--json").json()
    assert {s["kind"] for s in steps["next_steps"]} >= {"receipt_signed", "copied_to_procuratorate"}
    assert steps["materials_complete"] is True

    cli.event(
        case,
        "copied_to_procuratorate",
        "2025-03-07T11:30:00+08:00",
        "wang",
        {"procuratorate_unit": "徐州市铜山区人民检察院"},
    )
    cli.event(case, "receipt_signed", "2025-03-07T15:00:00+08:00", "sun")
    filed = cli.event(case, "police_filed", "2025-03-10T09:00:00+08:00", "sun")
    assert filed["status"] == "filed"
    done = cli.event(case, "items_handed_over", "2025-03-11T09:00:00+08:00", "wang")
    assert done["forward_node"] == "handed_over"

    # An illegal step: a second transfer after hand-over.
    line = cli.refused(
        "event", case, "transferred", "--at", "2025-03-12T09:00:00+08:00", "--user", "wang"
    )
    assert "当前节点" in line
    assert_deadlines_match_engine(open_store(data_paths), case)

    with sqlite3.connect(data_paths.database) as conn:
        status, police = conn.execute(
            "SELECT t.status, u.name FROM transfers t JOIN units u ON u.id = t.police_unit_id "
            "WHERE t.case_id = ?",
            (case,),
        ).fetchone()
        assert (status, police) == ("handed_over", "徐州市公安局铜山分局")
        kinds = {
            r[0] for r in conn.execute("SELECT doc_type FROM documents WHERE case_id=?", (case,))
        }
        assert {"transfer_letter", "materials_list", "seized_items_list"} <= kinds

    letter = check_pdf(
        pdfs["transfer_letter"],
        [
            "徐州市铜山生态环境局",
            "涉嫌犯罪案件移送书",
            "徐州市公安局铜山分局",
            "徐州恒达化工有限公司",
            "污染环境罪",
            "徐铜环罚〔2025〕15号",
            "涉嫌犯罪案件移送书回执",
            "2025年3月7日",
        ],
        tmp_path,
    )
    assert letter.pages >= 2
    check_pdf(
        pdfs["seized_items_list"], ["涉案物品清单", "废酸桶", "12个", "铜山区暂存库"], tmp_path
    )
    check_pdf(
        pdfs["materials_list"],
        [
            "材料目录",
            "徐州市铜山区人民检察院：",
            "涉嫌犯罪案件调查报告",
            "检验报告/鉴定意见",
            "涉案物品清单",
        ],
        tmp_path,
    )


def test_reverse_referral_through_the_cli(
    run_cli: RunCli, data_paths: DataPaths, store: Store, desk: Desk, tmp_path: Path
) -> None:
    cli = Driver(run_cli, data_paths)
    case = "徐铜环罚〔2025〕21号"  # by case number
    received = cli.event(
        case,
        "referral_received",
        "2025-04-02T10:00:00+08:00",
        "wang",
        {
            "source": "non_prosecution",
            "source_unit": "徐州市铜山区人民检察院",
            "opinion": {
                "number": "铜检行意〔2025〕3号",
                "reply_period": {"amount": 30, "unit": "days"},
            },
        },
    )
    assert received["status"] == "referred_back" and received["referral_id"]
    listed = cli.ok("deadlines", "--case", case, "--at", "2025-04-03T00:00:00+08:00", "--json")
    reply = [d for d in listed.json()["deadlines"] if d["rule_id"] == "reply_to_opinion"]
    # 30 days stated in the 检察意见 (days, counting unstated: calendar days by default).
    due = datetime.combine(date(2025, 4, 2) + timedelta(days=30), time(23, 59, 59), CST)
    assert len(reply) == 1 and datetime.fromisoformat(reply[0]["due_at"]) == due
    assert reply[0]["period_source"] == "document" and reply[0]["verified"] is True

    line = cli.refused(
        "event", case, "penalty_decided", "--at", "2025-04-03T09:00:00+08:00", "--user", "wang"
    )
    assert "先立案办理" in line
    cli.event(case, "handling_started", "2025-04-03T09:00:00+08:00", "wang")
    decided = cli.event(
        case,
        "penalty_decided",
        "2025-04-20T09:00:00+08:00",
        "wang",
        {"decision": "罚款人民币5万元", "offset": {"fine_paid_yuan": 20000, "detention_days": 5}},
    )
    assert decided["reverse_node"] == "penalty_decided"
    out = tmp_path / "reply.pdf"
    cli.ok(
        "make-document",
        case,
        "opinion_reply",
        "--user",
        "wang",
        "--at",
        "2025-04-21T09:00:00+08:00",
        "--out",
        out,
    )
    check_pdf(
        out,
        [
            "关于铜检行意〔2025〕3号检察意见书办理情况的回复",
            "徐州市铜山区人民检察院：",
            "罚款人民币5万元",
            "20,000元已依法折抵罚款",
            "拘留5日",
            "2025年4月21日",
        ],
        tmp_path,
    )
    replied = cli.event(case, "reply_sent", "2025-04-21T10:00:00+08:00", "wang")
    assert replied["status"] == "referral_replied"
    closed = cli.event(case, "closed", "2025-04-22T10:00:00+08:00", "wang")
    assert closed["status"] == "closed"
    text = cli.ok("deadlines", "--case", case, "--at", "2025-04-22T11:00:00+08:00")
    assert "回复" not in text.stdout  # the reply deadline was met
    assert_deadlines_match_engine(open_store(data_paths), desk.reverse_case)
    with sqlite3.connect(data_paths.database) as conn:
        row = conn.execute(
            "SELECT status, opinion_number, reply_due_at FROM referrals WHERE case_id=?",
            (desk.reverse_case,),
        ).fetchone()
    assert row[:2] == ("replied", "铜检行意〔2025〕3号")
    assert datetime.fromisoformat(row[2].replace("Z", "+00:00")) == due


def test_cli_refuses_bad_input_with_one_chinese_line(
    run_cli: RunCli, data_paths: DataPaths, desk: Desk
) -> None:
    cli = Driver(run_cli, data_paths)
    assert "找不到案件" in cli.refused("event", "no-such-case", "case_opened", "--user", "wang")
    assert "不存在" in cli.refused("event", desk.forward_case, "case_opened", "--user", "nobody")
    assert "未知的事件类型" in cli.refused(
        "event", desk.forward_case, "teleported", "--user", "wang"
    )
    assert "JSON" in cli.refused(
        "event", desk.forward_case, "case_opened", "--user", "wang", "--data", "{"
    )
    assert "--user" in cli.refused("event", desk.forward_case, "case_opened")
    assert "没有附检察意见" in cli.refused(
        "make-document", desk.forward_case, "opinion_reply", "--user", "wang"
    )
