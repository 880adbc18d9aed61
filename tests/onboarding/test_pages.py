"""The import pages, the template, the one-time passwords, the forced change, the tag sheet, the CLI."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from tests.onboarding.files import PLACE_ROW, workbook
from wuye_field.accounts.models import User
from wuye_field.extensions import db
from wuye_field.places.models import Place


def test_the_template_has_chinese_headers_an_example_and_drop_down_lists(admin):
    response = admin.get("/onboarding/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == ["楼栋", "地点", "岗位", "人员"]
    places = book["地点"]
    assert [c.value for c in places[1]][:5] == ["编号 *", "名称 *", "楼栋", "楼层", "类型 *"]
    assert places["A2"].value == "CP01"
    lists = {str(v.sqref): v.formula1 for v in places.data_validations.dataValidation}
    assert any("巡更点" in formula and "保洁区域" in formula for formula in lists.values())
    assert any("护管员" in v.formula1 for v in book["人员"].data_validations.dataValidation)


def _upload(client, site_id, data, name="site.xlsx"):
    return client.post(f"/onboarding/sites/{site_id}/preview", data={"files": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_preview_confirm_shows_passwords_once_and_the_tag_link(admin, demo, client, auth):
    page = _upload(admin, demo.id, workbook(places=[PLACE_ROW], staff=[["G801", "冯一", "", "护管员", ""]]))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "确认导入" in html
    assert db.session.scalar(select(Place).where(Place.code == "N01")) is None
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    done = admin.post(f"/onboarding/sites/{demo.id}/confirm", data={"token": token, "mode": "all"})
    text = done.get_data(as_text=True)
    password = re.search(r"<code data-password>([a-z0-9]+)</code>", text).group(1)
    place = db.session.scalar(select(Place).where(Place.code == "N01"))
    assert f"place={place.id}" in text and done.headers["Cache-Control"] == "no-store"
    again = admin.post(f"/onboarding/sites/{demo.id}/confirm", data={"token": token, "mode": "all"})
    assert again.status_code == 404 and password not in again.get_data(as_text=True)  # shown once

    tags = admin.get(f"/admin/sites/{demo.id}/tags.csv?place={place.id}")
    assert "N01" in tags.get_data(as_text=True)

    auth.logout()
    auth.login("G801", password)
    forced = client.get("/")
    assert forced.status_code == 302 and "/password" in forced.headers["Location"]
    changed = client.post("/password", data={"current": password, "new": "new-pass-801", "repeat": "new-pass-801"})
    assert changed.status_code == 303
    assert client.get("/").status_code == 200
    assert not db.session.scalar(select(User).where(User.staff_no == "G801")).must_change_password


def test_a_preview_with_errors_offers_only_the_valid_rows(admin, demo):
    page = _upload(admin, demo.id, workbook(places=[PLACE_ROW, ["N02", "坏", "9栋", "", "巡更点", "", "", "", ""]]))
    html = page.get_data(as_text=True)
    assert "地点 第 3 行 C 列：楼栋“9栋”不存在。" in html
    assert "确认导入" not in html and "只导入无误的行" in html


def test_a_renamed_zip_is_refused_with_a_message(admin, demo):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x")
    page = _upload(admin, demo.id, out.getvalue())
    assert page.status_code == 422 and "不是 Excel 表格" in page.get_data(as_text=True)


def test_other_roles_and_other_sites_cannot_import(client, auth, demo, other_admin):
    db.session.commit()
    auth.login("guard01")
    assert client.get(f"/onboarding/sites/{demo.id}").status_code == 403
    auth.logout()
    auth.login(other_admin.staff_no, "password-123")
    assert client.get(f"/onboarding/sites/{demo.id}").status_code == 404


def test_cli_dry_run_prints_the_preview_and_exits_1_on_errors(runner, demo, tmp_path):
    path = tmp_path / "site.xlsx"
    path.write_bytes(workbook(places=[PLACE_ROW, ["N02", "坏", "9栋", "", "巡更点", "", "", "", ""]]))
    result = runner.invoke(args=["wuye", "import", "DEMO", str(path), "--dry-run"])
    assert result.exit_code == 1
    assert "地点：新建 1，更新 0，不变 0，有错误 1" in result.output
    assert "地点 第 3 行 C 列：楼栋“9栋”不存在。" in result.output
    assert db.session.scalar(select(Place).where(Place.code == "N01")) is None


def test_cli_imports_and_prints_one_time_passwords(runner, demo, tmp_path):
    path = tmp_path / "site.xlsx"
    path.write_bytes(workbook(staff=[["G901", "褚二", "", "保洁员", ""]]))
    result = runner.invoke(args=["wuye", "import", "DEMO", str(path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"G901\t褚二\t[a-z0-9]{10}", result.output)
    assert runner.invoke(args=["wuye", "import", "DEMO", str(path), "--dry-run"]).exit_code == 0


def test_cli_writes_the_template(runner, tmp_path):
    out = tmp_path / "template.xlsx"
    result = runner.invoke(args=["wuye", "import-template", str(out)])
    assert result.exit_code == 0 and load_workbook(out).sheetnames[:4] == ["楼栋", "地点", "岗位", "人员"]
