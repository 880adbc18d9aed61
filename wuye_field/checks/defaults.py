"""The defaults of scheduled checks, in one place, each beside the standard it comes from.

Site settings (`audit.settings_history`, subject "site", subject_id 0) are named `checks.<name>`; a plan's
frequency is the setting `checks.frequency` of subject "check_plan" (its id), so a figure for a past
month reads the frequency of that month. The default plans below are created for a site the first time
its checks are set up (`plans.ensure_default_plans`); each can then be changed or switched off.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from wuye_field.places.site_settings import DUTY_SETTINGS

# Site settings: name → (default, standard id, label); the numbers of each grade are in the grade presets
# (`places.site_settings.DUTY_SETTINGS`, `GRADE_PRESETS`).
SITE_SETTINGS = {name: spec for name, spec in DUTY_SETTINGS.items() if name.startswith("checks.")}

# P7: 2 extinguishers in each hydrant box of multi-storey buildings, 4 in high-rises.
EXTINGUISHERS_PER_BOX = {"multi": 2, "high": 4}

# Equipment types: code → (label, category of its defects, meters it carries, attributes).
TYPES = {
    "fire_room": (_l("消防控制室"), "fire", (), ()),
    "exit": (_l("安全出口/疏散通道"), "fire", (), ()),
    "extinguisher": (_l("灭火器"), "fire", (), ("agent", "capacity", "expiry")),
    "hydrant_box": (_l("消火栓箱"), "fire", (), ("expected_extinguishers",)),
    "alarm_panel": (_l("火灾报警控制器"), "fire", (), ()),
    "smoke_zone": (_l("烟感探测分区"), "fire", (), ()),
    "emergency_light": (_l("应急照明灯"), "fire", (), ()),
    "exit_sign": (_l("疏散指示标志"), "fire", (), ()),
    "fire_door": (_l("防火门"), "fire", (), ()),
    "fire_pump": (_l("消防水泵"), "fire", ("hours", "pressure"), ()),
    "pump": (_l("生活水泵"), "water", ("hours", "pressure"), ()),
    "lift": (_l("电梯"), "lift", (), ()),
    "water_tank": (_l("二次供水水箱"), "water", (), ()),
    "septic_tank": (_l("化粪池"), "public", (), ()),
    "generator": (_l("发电机"), "power", ("hours",), ()),
    "light": (_l("路灯/楼道灯"), "lighting", (), ()),
    "pest_station": (_l("消杀点"), "public", (), ()),
    "water_meter": (_l("水表"), "water", ("water",), ()),
    "power_meter": (_l("电表"), "power", ("power",), ()),
}
FIRE_TYPES = tuple(code for code, (_label, category, _m, _a) in TYPES.items() if category == "fire")

METERS = {"water": (_l("用水量"), "m³"), "power": (_l("用电量"), "kWh"), "hours": (_l("运行小时"), "h"),
          "pressure": (_l("压力"), "MPa")}
AGENTS = {"dry_powder": _l("干粉"), "co2": _l("二氧化碳"), "foam": _l("泡沫"), "water": _l("水基")}

# Who does which kind of plan (the brief: guards do fire checks, technicians do upkeep).
PLAN_KINDS = {"fire": _l("消防检查"), "upkeep": _l("计划维保"), "supervisory": _l("消防督查")}
PLAN_ROLES = ("guard", "technician", "supervisor")


def _ok(key: str, label, types: tuple[str, ...] = ()) -> dict:
    return {"key": key, "label": str(label), "kind": "ok", "types": list(types)}


def _items(*items: dict) -> list[dict]:
    return list(items)


# The default plans: key → plan values (frequency as `schedule.Frequency.as_dict` keys), standard id.
DEFAULT_PLANS = {
    "fire.daily": {"std": "P7", "name": _l("消防日检"), "kind": "fire", "role": "guard",
                   "types": ["fire_room", "exit"],
                   "frequency": {"kind": "daily", "due_time": "10:00"},
                   "items": _items(_ok("on_duty", _l("控制室有人值班、记录齐全"), ("fire_room",)),
                                   _ok("panel", _l("报警主机无故障、无报警"), ("fire_room",)),
                                   _ok("clear", _l("通道畅通、门未上锁"), ("exit",)))},
    "fire.weekly": {"std": "P7", "name": _l("消防周检（灭火器、消火栓箱）"), "kind": "fire", "role": "guard",
                    "types": ["extinguisher", "hydrant_box"],
                    "frequency": {"kind": "weekly", "weekday": 4, "due_time": "18:00"},
                    "items": _items(
                        _ok("pressure", _l("压力指针在绿区"), ("extinguisher",)),
                        _ok("in_place", _l("在位、铅封完好"), ("extinguisher",)),
                        {"key": "extinguishers", "label": str(_l("箱内灭火器数量")), "kind": "count",
                         "expected": "attr:expected_extinguishers", "types": ["hydrant_box"]},
                        _ok("hose", _l("水带、水枪齐全"), ("hydrant_box",)),
                        {"key": "pressure_mpa", "label": str(_l("栓口压力")), "kind": "reading", "min": 0.1,
                         "max": 0.4, "unit": "MPa", "types": ["hydrant_box"], "optional": True})},
    "fire.monthly": {"std": "P7", "name": _l("消防月检"), "kind": "fire", "role": "guard",
                     "types": ["alarm_panel", "smoke_zone", "emergency_light", "exit_sign", "fire_door", "fire_pump"],
                     "frequency": {"kind": "monthly", "day": 25, "due_time": "18:00"},
                     "items": _items(_ok("works", _l("测试正常")),
                                     _ok("closes", _l("闭门器、顺序器正常"), ("fire_door",)),
                                     _ok("lit", _l("主电、备电切换正常"), ("emergency_light", "exit_sign")))},
    "fire.supervisory": {"std": "P7", "name": _l("消防督查"), "kind": "supervisory", "role": "supervisor",
                         "types": ["fire_room"],
                         "frequency": {"kind": "monthly", "day": 28, "due_time": "18:00"},
                         "items": _items(_ok("records", _l("日检、周检、月检记录齐全")),
                                         _ok("drill", _l("人员熟悉报警和疏散程序")))},
    "upkeep.water_tank": {"std": "W11", "name": _l("二次供水水箱清洗消毒"), "kind": "upkeep",
                          "role": "technician", "types": ["water_tank"], "ahead": 7, "category": "water",
                          "frequency": {"kind": "half_yearly", "month": 5, "day": 15, "due_time": "18:00"},
                          "items": _items(_ok("cleaned", _l("已清洗消毒，水质报告已取得")))},
    "upkeep.septic": {"std": "W11", "name": _l("化粪池清掏"), "kind": "upkeep", "role": "technician",
                      "types": ["septic_tank"], "ahead": 7, "category": "public",
                      "frequency": {"kind": "yearly", "month": 4, "day": 30, "due_time": "18:00"},
                      "items": _items(_ok("dredged", _l("已清掏，井盖完好")))},
    "upkeep.pest": {"std": "W11", "name": _l("消杀"), "kind": "upkeep", "role": "technician",
                    "types": ["pest_station"], "ahead": 7, "category": "public",
                    "frequency": {"kind": "monthly", "day": 10, "due_time": "18:00"},
                    "items": _items(_ok("baited", _l("已投药，药盒完好")))},
    "upkeep.lights": {"std": "W8", "name": _l("照明检查"), "kind": "upkeep", "role": "technician",
                      "types": ["light"], "ahead": 0, "category": "power",
                      "frequency": {"kind": "monthly", "day": 20, "due_time": "22:00"},
                      "items": _items(_ok("lit", _l("灯亮")))},
    "upkeep.pumps": {"std": "W11", "name": _l("水泵运行检查"), "kind": "upkeep", "role": "technician",
                     "types": ["pump"], "ahead": 0, "category": "water",
                     "frequency": {"kind": "weekly", "weekday": 2, "due_time": "18:00"},
                     "items": _items(_ok("runs", _l("运行平稳、无异响、无渗漏")),
                                     {"key": "hours", "label": str(_l("运行小时")), "kind": "reading", "meter": "hours",
                                      "min": 0, "max": 1000000, "unit": "h", "optional": True},
                                     {"key": "pressure", "label": str(_l("出水压力")), "kind": "reading",
                                      "meter": "pressure", "min": 0.15, "max": 0.8, "unit": "MPa", "optional": True})},
    "upkeep.pump_service": {"std": "W11", "name": _l("水泵、发电机保养（每运行 500 小时或每年）"), "kind": "upkeep",
                            "role": "technician", "types": ["pump", "fire_pump", "generator"], "ahead": 0,
                            "category": "water", "meter_trigger": {"meter": "hours", "every": 500},
                            "frequency": {"kind": "yearly", "month": 12, "day": 15, "due_time": "18:00"},
                            "items": _items(_ok("serviced", _l("已保养：换油、紧固、清洁")),
                                            {"key": "hours", "label": str(_l("运行小时")), "kind": "reading",
                                             "meter": "hours", "min": 0, "max": 1000000, "unit": "h",
                                             "optional": True})},
}

DRILL_KINDS = {"fire": _l("消防演习"), "flood": _l("防汛演练"), "power": _l("停电演练"), "lift": _l("电梯困人演练"),
               "other": _l("其他")}
