"""Actions of the police, the procuratorate and the court on a transferred case."""

from typing import Any, Literal

from fastapi import APIRouter, Request
from typing_extensions import TypedDict

from app.sync.wire import Record
from central.acts import perform
from central.api.deps import ERROR_RESPONSES, CallerDep, DatabaseDep

router = APIRouter(responses=ERROR_RESPONSES)


ActionName = Literal[
    "receipt",
    "forward",
    "supplement",
    "file",
    "not-file",
    "reconsideration",
    "supervise",
    "opinion",
    "reverse",
    "court-referral",
]


class ActRequest(TypedDict):
    case_id: str
    params: dict[str, Any]


@router.post("/act/{action}")
def act(
    action: ActionName, body: ActRequest, who: CallerDep, db: DatabaseDep, request: Request
) -> Record:
    """receipt, forward, supplement, file, not-file, reconsideration (police); supervise,
    opinion, reverse (procuratorate); court-referral (court)."""
    request.state.action = f"act:{action}"
    with db.session() as session:
        return perform(session, who.unit, action, body["case_id"], body["params"])
