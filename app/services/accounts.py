"""Local accounts: first-run setup, login, user management. Every change is audited."""

from sqlalchemy import func, select

from app.domain.identity import SignedInUser
from app.domain.kinds import Role, UnitKind
from app.domain.passwords import hash_password, password_problem, verify_password
from app.domain.roles import Permission
from app.errors import UserError
from app.store import audit
from app.store.db import Store
from app.store.models import Unit, User
from app.store.profile import has_users

__all__ = ["SignedInUser", "create_unit_and_admin", "create_user", "login", "needs_first_run"]


def needs_first_run(store: Store) -> bool:
    """True while the store has no user: the app must offer setup or demo data."""
    with store.reading() as conn:
        return not has_users(conn)


def _check_username(username: str) -> str:
    username = username.strip()
    if not (2 <= len(username) <= 64) or any(ch.isspace() for ch in username):
        raise UserError("用户名需为 2–64 个字符，且不能包含空格")
    return username


def create_unit_and_admin(
    store: Store,
    *,
    unit_name: str,
    unit_code: str,
    region: str,
    username: str,
    display_name: str,
    password: str,
) -> SignedInUser:
    """First start: create this desk's unit and its administrator."""
    if not unit_name.strip() or not unit_code.strip():
        raise UserError("请填写单位名称和单位代码")
    username = _check_username(username)
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    with store.session() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise UserError("本机已经设置过单位和管理员")
        unit = session.scalar(select(Unit).where(Unit.code == unit_code.strip()))
        if unit is None:
            unit = Unit(
                code=unit_code.strip(),
                name=unit_name.strip(),
                kind=UnitKind.ENFORCEMENT.value,
                region=region.strip(),
            )
            session.add(unit)
            session.flush()
        user = User(
            unit_id=unit.id,
            username=username,
            display_name=display_name.strip() or username,
            role=Role.ADMIN.value,
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            "setup",
            user_id=user.id,
            entity="unit",
            entity_id=unit.id,
            detail={"unit": unit.name, "admin": username},
        )
        return _signed_in(user, unit)


def create_user(
    store: Store,
    actor: SignedInUser,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
) -> SignedInUser:
    actor.require(Permission.MANAGE_USERS)
    username = _check_username(username)
    problem = password_problem(password)
    if problem:
        raise UserError(problem)
    with store.session() as session:
        if session.scalar(select(User.id).where(User.username == username)):
            raise UserError(f"用户名 {username} 已存在")
        unit = session.get_one(Unit, actor.unit_id)
        user = User(
            unit_id=unit.id,
            username=username,
            display_name=display_name.strip() or username,
            role=role.value,
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            "create_user",
            user_id=actor.id,
            entity="user",
            entity_id=user.id,
            detail={"username": username, "role": role.value},
        )
        return _signed_in(user, unit)


def login(store: Store, username: str, password: str) -> SignedInUser:
    """Check a local password; failures are audited and answered without saying which part."""
    with store.session() as session:
        user = session.scalar(select(User).where(User.username == username.strip()))
        if user is not None and user.active and verify_password(password, user.password_hash):
            audit.record(session, "login", user_id=user.id, entity="user", entity_id=user.id)
            return _signed_in(user, user.unit)
        # Commit the failure's audit entry in this transaction, then refuse.
        audit.record(
            session,
            "login_failed",
            entity="user",
            entity_id=user.id if user else "",
            detail={"username": username},
        )
    raise UserError("用户名或密码错误")


def _signed_in(user: User, unit: Unit) -> SignedInUser:
    return SignedInUser(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        unit_id=unit.id,
        unit_name=unit.name,
    )
