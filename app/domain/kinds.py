"""Enumerations shared by every layer: unit kinds, roles, party kinds, sync states."""

from enum import StrEnum


class SyncState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SYNCED = "synced"
    ERROR = "error"


class UnitKind(StrEnum):
    ENFORCEMENT = "enforcement"  # 行政执法机关
    POLICE = "police"  # 公安机关
    PROCURATORATE = "procuratorate"  # 人民检察院
    COURT = "court"  # 人民法院


class Role(StrEnum):
    INSPECTOR = "inspector"  # 执法人员
    CLERK = "clerk"  # 内勤
    HEAD = "head"  # 负责人（审批）
    ADMIN = "admin"  # 系统管理员


class PartyKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
