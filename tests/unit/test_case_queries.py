"""Case list and case view queries over a real SQLite store."""

from datetime import UTC, date, datetime, timedelta

from app.domain.kinds import UnitKind
from app.services.case_queries import CaseFilter, case_detail, fetch_rows, list_case_ids
from app.store.db import Store
from app.store.models import Deadline, Document, Event, Party, Unit
from tests.case_seed import add_case


def _seed(store: Store) -> dict[str, str]:
    now = datetime.now(UTC)
    with store.session() as s:
        unit = Unit(code="320312-HB", name="徐州市铜山生态环境局", kind=UnitKind.ENFORCEMENT.value)
        s.add(unit)
        s.flush()
        unit_id = unit.id
    env = add_case(
        store,
        "非法倾倒危险废物案",
        unit_id=unit_id,
        case_number="徐铜环罚〔2024〕15号",
        category="hazardous_waste",
        facts="在厂区外倾倒废酸约4吨",
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
        unit_id=unit_id,
        case_number="徐铜市监罚〔2024〕3号",
        domain="food",
        category="expired_food",
        status="decided",
        facts="超市销售过期奶粉",
        opened_on=date(2024, 5, 2),
        parties=[Party(kind="person", name="王某", id_number="")],
        deadlines=[
            Deadline(
                rule_id="entry", node="平台录入", owed_by="self", due_at=now + timedelta(days=3)
            ),
            # past due but cancelled, and past due but withdrawn: neither is overdue
            Deadline(
                rule_id="handover",
                node="移交涉案物品",
                owed_by="self",
                due_at=now - timedelta(days=2),
                cancelled_at=now - timedelta(days=3),
            ),
            Deadline(
                rule_id="reply",
                node="回复检察意见",
                owed_by="self",
                due_at=now - timedelta(days=2),
                deleted=True,
            ),
        ],
        indexed=True,
    )
    return {"env": env, "food": food}


def test_list_orders_newest_first_and_filters(store: Store) -> None:
    ids = _seed(store)
    with store.session() as s:
        assert list_case_ids(s, CaseFilter()) == [ids["food"], ids["env"]]
        assert list_case_ids(s, CaseFilter(domain="environment")) == [ids["env"]]
        assert list_case_ids(s, CaseFilter(status="decided")) == [ids["food"]]
        assert list_case_ids(s, CaseFilter(overdue_only=True)) == [ids["env"]]


def test_text_filter_uses_full_text_index(store: Store) -> None:
    ids = _seed(store)
    with store.session() as s:
        assert list_case_ids(s, CaseFilter(text="化工")) == [ids["env"]]  # party name, 2 chars
        assert list_case_ids(s, CaseFilter(text="废酸桶")) == [ids["env"]]  # document text
        assert list_case_ids(s, CaseFilter(text="过期 奶粉")) == [ids["food"]]  # AND of terms
        assert list_case_ids(s, CaseFilter(text="化工", domain="food")) == []


def test_rows_and_detail(store: Store) -> None:
    ids = _seed(store)
    with store.session() as s:
        rows = fetch_rows(s, [ids["env"], ids["food"]])
        assert rows[ids["env"]].parties == "徐州某某化工有限公司"
        assert rows[ids["env"]].domain == "生态环境"
        assert rows[ids["env"]].overdue is True
        assert rows[ids["food"]].overdue is False
        detail = case_detail(s, ids["env"])
    assert detail is not None
    assert [e.label for e in detail.events] == ["行政立案", "发现涉嫌犯罪"]
    assert detail.documents[0].type_label == "现场检查笔录"
    assert detail.deadlines[0].overdue is True
    with store.session() as s:
        food = case_detail(s, ids["food"])
    assert food is not None
    assert [d.node for d in food.deadlines] == ["移交涉案物品", "平台录入"]  # deleted one hidden
    assert not any(d.overdue for d in food.deadlines)
