"""The import file's sheets and columns: Chinese headers, which are required, the allowed values of the
enumerated columns (they become data-validation lists in the template) and one example row per sheet.

Equipment (设备) is read and stored through the checks package's register (`onboarding.equipment`); its
columns say 设备编号 / 设备名称 / 设备类型 so a lone equipment CSV is not taken for a places one. A staff
member's 岗位 are checked (the post exists, one of the person's roles may work it) but not stored: a post
is open to every holder of its roles (handover.posts.can_work).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from wuye_field.accounts.models import ROLES
from wuye_field.checks.defaults import AGENTS, TYPES
from wuye_field.checks.equipment import STATUSES
from wuye_field.handover.models import POST_KINDS
from wuye_field.patrol.models import CHECK_CATEGORIES
from wuye_field.places.models import PLACE_KINDS

YES, NO = "是", "否"
LIST_SEPARATORS = "、,，;； "


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    choices: tuple[str, ...] = ()  # allowed labels (one value, or a list for `multi` columns)
    multi: bool = False
    example: str = ""


@dataclass(frozen=True)
class SheetSpec:
    key: str
    title: str
    columns: tuple[Column, ...]
    note: str = ""
    extra_examples: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def letter(self, key: str) -> str:
        index = [c.key for c in self.columns].index(key)
        return chr(ord("A") + index)


def kind_labels() -> dict[str, str]:
    """Place kind label → code; 「巡更点+保洁区域」 with or without spaces."""
    return {"".join(str(label).split()): code for code, label in PLACE_KINDS.items()}


def role_labels() -> dict[str, str]:
    return {str(label): code for code, label in ROLES.items()}


def category_labels() -> dict[str, str]:
    return {str(label): code for code, label in CHECK_CATEGORIES.items()}


def post_kind_labels() -> dict[str, str]:
    return {str(label): code for code, label in POST_KINDS.items()}


def type_labels() -> dict[str, str]:
    """Equipment type label (灭火器) → code."""
    return {str(v[0]): code for code, v in TYPES.items()}


def agent_labels() -> dict[str, str]:
    return {str(label): code for code, label in AGENTS.items()}


def status_labels() -> dict[str, str]:
    return {str(label): code for code, label in STATUSES.items()}


def split_list(text: str) -> list[str]:
    """「治安、消防器材」, 「guard,cleaner」 → items, without empties."""
    for sep in LIST_SEPARATORS[1:]:
        text = text.replace(sep, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def sheets() -> tuple[SheetSpec, ...]:
    """The sheets in import order (buildings before places, posts before staff, places before equipment)."""
    return (
        SheetSpec("buildings", "楼栋", (
            Column("name", "楼栋名称", required=True, example="1栋"),
            Column("floors", "层数", example="18"),
        )),
        SheetSpec("places", "地点", (
            Column("code", "编号", required=True, example="CP01"),
            Column("name", "名称", required=True, example="1栋大堂"),
            Column("building", "楼栋", example="1栋"),
            Column("floor", "楼层", example="1"),
            Column("kind", "类型", required=True, choices=tuple(kind_labels()), example="巡更点+保洁区域"),
            Column("key_area", "重要部位", choices=(YES, NO), example=NO),
            Column("interval", "巡查间隔（分钟）", example="240"),
            Column("checklist", "检查清单", choices=tuple(category_labels()), multi=True, example="治安、消防器材"),
            Column("cleaning", "保洁标准", choices=(YES, NO), example=YES),
        )),
        SheetSpec("posts", "岗位", (
            Column("code", "岗位编号", required=True, example="GATE"),
            Column("name", "岗位名称", required=True, example="东门岗"),
            Column("kind", "岗位类型", required=True, choices=tuple(post_kind_labels()), example="护管岗"),
            Column("shift_starts", "交班时间", example="07:00,19:00"),
            Column("equipment", "交接器材", example="对讲机=2；门禁钥匙=1"),
        )),
        SheetSpec("staff", "人员", (
            Column("staff_no", "工号", required=True, example="G101"),
            Column("name", "姓名", required=True, example="张三"),
            Column("phone", "手机号", example="13800001234"),
            Column("roles", "角色", required=True, choices=tuple(role_labels()), multi=True, example="护管员"),
            Column("posts", "岗位", example="GATE"),
        )),
        SheetSpec("equipment", "设备", (
            Column("code", "设备编号", required=True, example="FE01"),
            Column("type", "设备类型", required=True, choices=tuple(type_labels()), example="灭火器"),
            Column("name", "设备名称", required=True, example="1栋大堂灭火器"),
            Column("place", "地点编号", example="CP01"),
            Column("building", "楼栋", example="1栋"),
            Column("floor", "楼层", example="1"),
            Column("agent", "灭火剂", choices=tuple(agent_labels()), example="干粉"),
            Column("capacity", "容量（公斤）", example="4"),
            Column("expiry", "有效期", example="2028-06-30"),
            Column("expected", "箱内应有灭火器（具）", example=""),
            Column("status", "状态", choices=tuple(status_labels()), example="在用"),
        ), note="灭火器填灭火剂、容量、有效期；消火栓箱的应有灭火器数不填时按楼栋层数取 2 或 4。"),
    )


def spec(key: str) -> SheetSpec:
    return next(s for s in sheets() if s.key == key)
