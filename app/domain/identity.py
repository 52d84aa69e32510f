"""Who is signed in: passed explicitly to services and views that check roles."""

from typing import NamedTuple

from app.domain.roles import Permission, may
from app.errors import PermissionDenied


class SignedInUser(NamedTuple):  # not a dataclass: made at every GUI start (~0.7 ms)
    id: str
    username: str
    display_name: str
    role: str
    unit_id: str
    unit_name: str

    def require(self, permission: Permission) -> None:
        if not may(self.role, permission):
            raise PermissionDenied(f"当前角色无权执行此操作（需要权限：{permission.value}）")
