"""What each role may do. Roles are a unit's internal policy, not law, so they live here.

Sources for the head's exclusive power to approve a transfer: R2020 Art 5 (domain.md §1).
"""

from enum import StrEnum

from app.domain.kinds import Role


class Permission(StrEnum):
    VIEW_CASES = "view_cases"
    EDIT_CASES = "edit_cases"
    ATTACH_DOCUMENTS = "attach_documents"
    APPROVE_TRANSFERS = "approve_transfers"
    MANAGE_USERS = "manage_users"
    EXPORT_DATA = "export_data"
    IMPORT_DATA = "import_data"
    BACKUP_RESTORE = "backup_restore"


ROLE_LABELS: dict[Role, str] = {
    Role.INSPECTOR: "执法人员",
    Role.CLERK: "内勤",
    Role.HEAD: "负责人",
    Role.ADMIN: "系统管理员",
}

_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.INSPECTOR: frozenset(
        {Permission.VIEW_CASES, Permission.EDIT_CASES, Permission.ATTACH_DOCUMENTS}
    ),
    Role.CLERK: frozenset({Permission.VIEW_CASES, Permission.ATTACH_DOCUMENTS}),
    Role.HEAD: frozenset(
        {
            Permission.VIEW_CASES,
            Permission.EDIT_CASES,
            Permission.ATTACH_DOCUMENTS,
            Permission.APPROVE_TRANSFERS,
            Permission.EXPORT_DATA,
        }
    ),
    Role.ADMIN: frozenset(
        {
            Permission.VIEW_CASES,
            Permission.MANAGE_USERS,
            Permission.EXPORT_DATA,
            Permission.IMPORT_DATA,
            Permission.BACKUP_RESTORE,
        }
    ),
}


def may(role: str, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``; an unknown role grants nothing."""
    try:
        return permission in _GRANTS[Role(role)]
    except ValueError:
        return False
