"""Reading and previewing import files (R34): errors by sheet, row and column, nothing written before confirm."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from tests.onboarding.files import PLACE_ROW, renamed_zip, with_cached_values, workbook, zip_bomb
from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.onboarding import service
from wuye_field.onboarding.reading import MAX_ROWS, FileRefused
from wuye_field.places.models import Place


def _preview(admin01, demo, files):
    return service.preview_files(admin01, demo, files)


def test_a_good_file_previews_creates_and_writes_nothing(admin01, demo):
    data = workbook(buildings=[["5栋", 12]], places=[PLACE_ROW[:2] + ["5栋"] + PLACE_ROW[3:]],
                    staff=[["G501", "孙新", "13900000501", "护管员", "GATE"]])
    before = db.session.scalar(select(func.count()).select_from(Place))
    preview = _preview(admin01, demo, [("site.xlsx", data)])
    assert not preview.has_errors, [str(e) for e in preview.errors]
    assert [(s.spec.key, s.count("create")) for s in preview.sheets] == [("buildings", 1), ("places", 1), ("staff", 1)]
    assert db.session.scalar(select(func.count()).select_from(Place)) == before
    assert "CP01" in preview.sheet("places").absent  # reported, never deleted


def test_every_error_names_its_sheet_row_and_column(admin01, demo):
    data = workbook(
        places=[PLACE_ROW, ["N02", "3号楼大堂", "9栋", "", "巡更点", "", "", "", ""],
                ["N01", "重复", "", "", "花园", "也许", "5", "扫地", ""]],
        staff=[["G601", "钱七", "1380000", "护管员", ""], ["G602", "周八", "13900000602", "保安队长", ""],
               ["G603", "王九", "", "保洁员", "GATE"], ["G604", "李十", "", "护管员", "NOPE"]],
    )
    messages = [str(e) for e in _preview(admin01, demo, [("site.xlsx", data)]).errors]
    assert "地点 第 3 行 C 列：楼栋“9栋”不存在。" in messages
    assert any(m.startswith("地点 第 4 行 A 列：与第 2 行重复") for m in messages)
    assert any(m.startswith("地点 第 4 行 E 列：类型须为") for m in messages)
    assert any(m.startswith("地点 第 4 行 F 列：只能填「是」或「否」") for m in messages)
    assert any(m.startswith("地点 第 4 行 G 列：巡查间隔须为 10–1440") for m in messages)
    assert any(m.startswith("地点 第 4 行 H 列：检查清单类别“扫地”不存在") for m in messages)
    assert "人员 第 2 行 C 列：手机号“1380000”无效，须为 11 位数字。" in messages
    assert any(m.startswith("人员 第 3 行 D 列：未知角色“保安队长”") for m in messages)
    assert "人员 第 4 行 E 列：岗位“GATE”需要角色：主管、护管员。" in messages
    assert "人员 第 5 行 E 列：岗位“NOPE”不存在。" in messages


def test_a_gbk_csv_saved_by_excel_is_read(admin01, demo):
    text = ("编号,名称,楼栋,楼层,类型,重要部位,巡查间隔（分钟）,检查清单,保洁标准\r\n"
            "N03,二号楼消防通道,2栋,B1,巡更点,是,120,消防器材,\r\n")
    preview = _preview(admin01, demo, [("地点.csv", text.encode("gbk"))])
    rows = preview.sheet("places").rows
    assert not preview.has_errors and rows[0].values["name"] == "二号楼消防通道" and rows[0].values["key_area"] is True


def test_formulas_are_read_as_their_values(admin01, demo):
    data = workbook(places=[['="N"&"04"', "=\"车库\"&\"出口\"", "", "", "巡更点", "否", "=60*2", "", ""]])
    data = with_cached_values(data, {"A2": "N04", "B2": "车库出口", "G2": "120"})
    plan = _preview(admin01, demo, [("site.xlsx", data)]).sheet("places").rows[0]
    assert (plan.key, plan.values["name"], plan.values["interval"]) == ("N04", "车库出口", 120)


@pytest.mark.parametrize("name, data, message", [
    ("site.xlsx", renamed_zip(), "不是 Excel 表格"),
    ("site.xlsx", b"%PDF-1.4 not a zip", "不是 Excel 表格"),
    ("site.xlsx", zip_bomb(), "解压后过大"),
    ("site.xlsx", b"x" * (5 * 1024 * 1024 + 1), "超过 5 MB"),
    ("site.txt", b"a,b", "只能导入 .xlsx 或 .csv"),
])
def test_files_that_are_not_spreadsheets_are_refused(admin01, demo, name, data, message):
    started = time.perf_counter()
    with pytest.raises(FileRefused) as refused:
        _preview(admin01, demo, [(name, data)])
    assert message in refused.value.message
    assert time.perf_counter() - started < 2  # refused from the zip directory, never inflated


def test_more_than_5000_rows_are_refused(admin01, demo):
    data = workbook(buildings=[[f"B{i}", 3] for i in range(MAX_ROWS + 1)])
    with pytest.raises(FileRefused, match="超过 5000 行"):
        _preview(admin01, demo, [("site.xlsx", data)])


def test_nothing_is_written_by_a_preview_with_staff(admin01, demo):
    data = workbook(staff=[["G701", "吴九", "", "保洁员", ""]])
    _preview(admin01, demo, [("site.xlsx", data)])
    assert db.session.scalar(select(User).where(User.staff_no == "G701")) is None
