"""Passwords (scrypt), role permissions and local accounts."""

import pytest
from sqlalchemy import select

from app.domain.kinds import Role
from app.domain.passwords import hash_password, password_problem, verify_password
from app.domain.roles import Permission, may
from app.errors import PermissionDenied, UserError
from app.services import accounts
from app.store.db import Store
from app.store.models import AuditEntry, User


def test_scrypt_round_trip() -> None:
    stored = hash_password("Xuzhou-2024")
    assert stored.startswith("scrypt$")
    assert "Xuzhou-2024" not in stored
    assert verify_password("Xuzhou-2024", stored)


def test_wrong_password_does_not_match() -> None:
    stored = hash_password("Xuzhou-2024")
    assert not verify_password("xuzhou-2024", stored)
    assert not verify_password("", stored)


def test_same_password_gets_a_fresh_salt() -> None:
    assert hash_password("Xuzhou-2024") != hash_password("Xuzhou-2024")


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "bcrypt$1$2$3$4$5", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$!!"],
)
def test_malformed_stored_hash_never_matches(stored: str) -> None:
    assert not verify_password("anything1", stored)


@pytest.mark.parametrize("weak", ["", "abc12", "12345678", "abcdefgh", "密码密码密码密码"])
def test_weak_passwords_are_refused(weak: str) -> None:
    assert password_problem(weak) is not None


@pytest.mark.parametrize("good", ["Xuzhou-2024", "abcd1234", "徐州环保2024"])
def test_reasonable_passwords_pass(good: str) -> None:
    assert password_problem(good) is None


def test_only_the_head_approves_transfers() -> None:
    assert may(Role.HEAD.value, Permission.APPROVE_TRANSFERS)
    for role in (Role.INSPECTOR, Role.CLERK, Role.ADMIN):
        assert not may(role.value, Permission.APPROVE_TRANSFERS)


def test_only_the_admin_manages_users_and_restores() -> None:
    for permission in (Permission.MANAGE_USERS, Permission.BACKUP_RESTORE):
        assert may(Role.ADMIN.value, permission)
        for role in (Role.INSPECTOR, Role.CLERK, Role.HEAD):
            assert not may(role.value, permission)


def test_clerk_attaches_but_does_not_edit() -> None:
    assert may(Role.CLERK.value, Permission.ATTACH_DOCUMENTS)
    assert not may(Role.CLERK.value, Permission.EDIT_CASES)


def test_unknown_role_grants_nothing() -> None:
    assert not any(may("superuser", p) for p in Permission)


def _setup(store: Store) -> accounts.SignedInUser:
    return accounts.create_unit_and_admin(
        store,
        unit_name="徐州市生态环境局",
        unit_code="320300-HB",
        region="徐州市",
        username="admin",
        display_name="管理员",
        password="Admin-2024",
    )


def test_first_run_happens_once(store: Store) -> None:
    assert accounts.needs_first_run(store)
    admin = _setup(store)
    assert admin.role == Role.ADMIN.value
    assert not accounts.needs_first_run(store)
    with pytest.raises(UserError, match="已经设置过"):
        _setup(store)


def test_first_run_refuses_a_weak_password(store: Store) -> None:
    with pytest.raises(UserError, match="密码"):
        accounts.create_unit_and_admin(
            store,
            unit_name="徐州市生态环境局",
            unit_code="320300-HB",
            region="徐州市",
            username="admin",
            display_name="管理员",
            password="12345678",
        )
    assert accounts.needs_first_run(store)


def test_password_is_stored_only_as_scrypt(store: Store) -> None:
    _setup(store)
    with store.session() as session:
        user = session.scalars(select(User)).one()
        assert user.password_hash.startswith("scrypt$")
        assert "Admin-2024" not in user.password_hash


def test_login_and_wrong_password(store: Store) -> None:
    _setup(store)
    me = accounts.login(store, "admin", "Admin-2024")
    assert me.username == "admin" and me.unit_name == "徐州市生态环境局"
    with pytest.raises(UserError, match="用户名或密码错误"):
        accounts.login(store, "admin", "admin-2024")
    with pytest.raises(UserError, match="用户名或密码错误"):
        accounts.login(store, "nobody", "Admin-2024")
    with store.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions[:2] == ["setup", "login"]


def test_failed_logins_are_audited(store: Store) -> None:
    _setup(store)
    with pytest.raises(UserError):
        accounts.login(store, "admin", "wrong-2024")
    with store.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    assert actions == ["setup", "login_failed"]


def test_admin_manages_users_others_may_not(store: Store) -> None:
    admin = _setup(store)
    head = accounts.create_user(
        store, admin, username="zhang", display_name="张科长", role=Role.HEAD, password="Head-2024"
    )
    inspector = accounts.create_user(
        store,
        admin,
        username="li",
        display_name="李执法",
        role=Role.INSPECTOR,
        password="Insp-2024",
    )
    for actor in (head, inspector):
        with pytest.raises(PermissionDenied):
            accounts.create_user(
                store, actor, username="x1", display_name="", role=Role.CLERK, password="Clerk-2024"
            )
    head.require(Permission.APPROVE_TRANSFERS)
    with pytest.raises(PermissionDenied):
        inspector.require(Permission.APPROVE_TRANSFERS)
    with pytest.raises(PermissionDenied):
        admin.require(Permission.APPROVE_TRANSFERS)
    with pytest.raises(UserError, match="已存在"):
        accounts.create_user(
            store, admin, username="li", display_name="", role=Role.CLERK, password="Clerk-2024"
        )


def test_inactive_user_cannot_log_in(store: Store) -> None:
    _setup(store)
    with store.session() as session:
        session.scalars(select(User)).one().active = False
    with pytest.raises(UserError, match="用户名或密码错误"):
        accounts.login(store, "admin", "Admin-2024")


@pytest.mark.parametrize("username", ["a", "has space", "x" * 65])
def test_bad_usernames(store: Store, username: str) -> None:
    with pytest.raises(UserError, match="用户名"):
        accounts.create_unit_and_admin(
            store,
            unit_name="单位",
            unit_code="U1",
            region="",
            username=username,
            display_name="",
            password="Admin-2024",
        )
