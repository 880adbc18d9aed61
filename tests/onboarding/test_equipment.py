"""The import's equipment sheet (设备, issue 18 with 15): previewed row by row with Chinese errors by sheet,
row and column; stored through the checks register's services (admin log, status history); matched by
code, so importing twice changes nothing; in the template with drop-down lists; through the CLI."""
from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.onboarding.files import workbook
from wuye_field.audit.models import AdminChange
from wuye_field.checks.equipment import status_history
from wuye_field.checks.models import Equipment
from wuye_field.core.time import utcnow
from wuye_field.extensions import db
from wuye_field.onboarding import service

EXPIRY = (date.today() + timedelta(days=700)).isoformat()
NEW_SITE = dict(
    buildings=[["7栋", 18]],
    places=[["N07", "7栋大堂", "7栋", "1", "巡更点", "否", "", "", ""]],
    equipment=[["FE90", "灭火器", "7栋大堂灭火器", "N07", "", "1", "干粉", "4", EXPIRY, "", "在用"],
               ["HB790", "消火栓箱", "7栋1层消火栓箱", "N07", "7栋", "1", "", "", "", "", ""],
               ["PU90", "生活水泵", "3号生活水泵", "CP06", "", "", "", "", "", "", "停用"]],
)


def _piece(code: str) -> Equipment:
    db.session.expire_all()
    return db.session.scalar(select(Equipment).where(Equipment.code == code))


def _import(admin01, demo, data):
    return service.import_files(admin01, demo, [("site.xlsx", data)], only_valid=False, now=utcnow())


def _logged() -> int:
    return db.session.scalar(select(func.count()).select_from(AdminChange))


def test_equipment_is_created_through_the_register_and_twice_changes_nothing(admin01, demo):
    data = workbook(**NEW_SITE)
    preview = service.preview_files(admin01, demo, [("site.xlsx", data)])
    assert not preview.has_errors, [str(e) for e in preview.errors]
    assert preview.sheet("equipment").count("create") == 3
    _preview, result = _import(admin01, demo, data)
    db.session.commit()
    assert result.created == 5  # a building, a place, three pieces
    extinguisher, box, pump = _piece("FE90"), _piece("HB790"), _piece("PU90")
    assert extinguisher.attrs == {"agent": "dry_powder", "capacity": 4.0, "expiry": EXPIRY}
    assert extinguisher.place.code == "N07" and extinguisher.building.name == "7栋"  # the place's building
    assert box.attrs == {"expected_extinguishers": 4}  # P7: 18 floors is a high-rise
    assert pump.status == "out_of_service" and [s.status for s in status_history(pump.id)] == [
        "in_service", "out_of_service"]
    assert db.session.scalar(select(func.count()).select_from(AdminChange).where(
        AdminChange.what.like("设备 %"))) == 3
    logged = _logged()
    again = service.preview_files(admin01, demo, [("site.xlsx", data)])
    assert (again.sheet("equipment").count("unchanged"), again.changes) == (3, 0)
    _preview, second = _import(admin01, demo, data)
    db.session.commit()
    assert (second.created, second.updated, _logged()) == (0, 0, logged)


def test_a_changed_row_updates_the_piece_and_is_logged(admin01, demo):
    _import(admin01, demo, workbook(**NEW_SITE))
    db.session.commit()
    later = (date.today() + timedelta(days=900)).isoformat()
    changed = dict(NEW_SITE, equipment=[["FE90", "灭火器", "7栋大堂灭火器A", "N07", "", "1", "", "", later, "", ""]])
    preview = service.preview_files(admin01, demo, [("site.xlsx", workbook(**changed))])
    row = preview.sheet("equipment").rows[0]
    assert row.action == "update" and set(row.changes) == {"设备名称", "属性"}
    logged = _logged()
    _preview, result = _import(admin01, demo, workbook(**changed))
    db.session.commit()
    piece = _piece("FE90")
    assert result.updated == 1 and piece.name == "7栋大堂灭火器A"
    assert piece.attrs == {"agent": "dry_powder", "capacity": 4.0, "expiry": later}  # blank cells keep their value
    assert _logged() == logged + 1
    assert {"HB790", "PU90", "FE01"} <= set(preview.sheet("equipment").absent)  # listed, never removed


def test_bad_rows_are_reported_in_chinese_by_sheet_row_and_column_and_nothing_is_stored(admin01, demo):
    far = (date.today() + timedelta(days=365 * 30)).isoformat()
    data = workbook(equipment=[
        ["FE91", "灭火筒", "坏类型", "", "", "", "", "", "", "", ""],
        ["FE92", "灭火器", "没有的地点", "ZZ99", "9栋", "", "沙子", "四", EXPIRY, "", ""],
        ["FE93", "灭火器", "太远的有效期", "", "", "", "", "", far, "", ""],
        ["FE93", "消火栓箱", "重复编号", "", "", "", "", "", "", "9", "坏了"],
    ])
    preview = service.preview_files(admin01, demo, [("site.xlsx", data)])
    messages = [str(e) for e in preview.errors]
    assert any(m.startswith("设备 第 2 行 B 列：") and "灭火筒" in m for m in messages)
    assert "设备 第 3 行 D 列：地点“ZZ99”不存在。" in messages
    assert "设备 第 3 行 E 列：楼栋“9栋”不存在。" in messages
    assert any(m.startswith("设备 第 3 行 G 列：") and "沙子" in m for m in messages)
    assert any(m.startswith("设备 第 4 行 I 列：有效期不合理") for m in messages)
    assert any(m.startswith("设备 第 5 行 A 列：与第 4 行重复") for m in messages)
    assert any(m.startswith("设备 第 5 行 K 列：") and "坏了" in m for m in messages)
    assert preview.sheet("equipment").count("error") == 4
    before = db.session.scalar(select(func.count(Equipment.id)))
    result = service.import_files(admin01, demo, [("site.xlsx", data)], only_valid=True, now=utcnow())[1]
    assert result.skipped == 4 and db.session.scalar(select(func.count(Equipment.id))) == before


def test_a_capacity_that_is_not_a_number_lands_on_its_column(admin01, demo):
    data = workbook(equipment=[["FE94", "灭火器", "容量错", "CP01", "", "", "干粉", "四公斤", EXPIRY, "", ""]])
    messages = [str(e) for e in service.preview_files(admin01, demo, [("e.xlsx", data)]).errors]
    assert messages == ["设备 第 2 行 H 列：容量请填写数字（公斤）。"]


def test_the_template_has_the_equipment_sheet_with_drop_down_lists(admin):
    book = load_workbook(io.BytesIO(admin.get("/onboarding/template.xlsx").data))
    sheet = book["设备"]
    assert [c.value for c in sheet[1]][:3] == ["设备编号 *", "设备类型 *", "设备名称 *"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert any("灭火器" in f and "消火栓箱" in f for f in lists) and any("干粉" in f for f in lists)
    assert any("在用" in f and "已拆除" in f for f in lists)


def test_the_cli_previews_and_imports_the_equipment_sheet(runner, demo, tmp_path):
    path = tmp_path / "site.xlsx"
    path.write_bytes(workbook(**NEW_SITE))
    dry = runner.invoke(args=["wuye", "import", "DEMO", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "设备：新建 3，更新 0，不变 0，有错误 0" in dry.output
    assert runner.invoke(args=["wuye", "import", "DEMO", str(path)]).exit_code == 0
    assert _piece("HB790") is not None


def test_a_lone_equipment_csv_is_read_as_the_equipment_sheet(admin01, demo):
    header = "设备编号,设备类型,设备名称,地点编号,楼栋,楼层,灭火剂,容量（公斤）,有效期,箱内应有灭火器（具）,状态\n"
    data = (header + f"FE95,灭火器,门卫灭火器,CP01,,,干粉,4,{EXPIRY},,在用\n").encode("gb18030")
    preview = service.preview_files(admin01, demo, [("设备.csv", data)])
    assert [s.spec.key for s in preview.sheets] == ["equipment"] and not preview.has_errors


def test_the_upload_page_previews_and_confirms_the_equipment_sheet(admin, demo):
    import re

    data = workbook(**NEW_SITE)
    page = admin.post(f"/onboarding/sites/{demo.id}/preview", data={"files": (io.BytesIO(data), "site.xlsx")},
                      content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<tr data-sheet="equipment"><td>设备</td><td data-create>3</td>' in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert admin.post(f"/onboarding/sites/{demo.id}/confirm", data={"token": token, "mode": "all"}).status_code == 200
    assert _piece("HB790").attrs == {"expected_extinguishers": 4}
