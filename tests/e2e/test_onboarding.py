"""Issue 18 proof: a newcomer sets up buildings, places and staff from the template in one sitting, and a new
guard signs in with the one-time password and scans one of the new tags (R34)."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.e2e.conftest import poll

pytestmark = pytest.mark.e2e

BUILDINGS = [("8栋", 24), ("9栋", 11)]
PLACES = [(f"NB{n:02d}", name, building, kind) for n, (name, building, kind) in enumerate([
    ("8栋大堂", "8栋", "巡更点+保洁区域"), ("8栋天台", "8栋", "巡更点"), ("8栋电梯厅", "8栋", "保洁区域"),
    ("8栋地下室", "8栋", "巡更点"), ("8栋楼道", "8栋", "保洁区域"), ("8栋配电间", "8栋", "巡更点"),
    ("9栋大堂", "9栋", "巡更点+保洁区域"), ("9栋天台", "10栋", "巡更点"), ("9栋电梯厅", "9栋", "保洁区域"),
    ("9栋水泵房", "9栋", "巡更点"), ("9栋楼道", "9栋", "保洁区域"), ("9栋消防通道", "9栋", "巡更点"),
], start=1)]
STAFF = [("NG01", "新护管一", "13700000101", "护管员"), ("NG02", "新护管二", "13700000102", "护管员"),
         ("NC01", "新保洁一", "13700000103", "保洁员"), ("NC02", "新保洁二", "", "保洁员"),
         ("NT01", "新维修一", "13700000105", "维修工")]


def fill_template(path, *, broken: bool) -> None:
    """What the newcomer types into the downloaded template (its example rows overwritten)."""
    book = load_workbook(path)
    for sheet_name in ("楼栋", "地点", "岗位", "人员"):
        book[sheet_name].delete_rows(2, book[sheet_name].max_row)
    for row in BUILDINGS:
        book["楼栋"].append(row)
    for code, name, building, kind in PLACES:
        building = building if broken or building != "10栋" else "9栋"
        book["地点"].append([code, name, building, "", kind, "否", "240", "", ""])
    for row in STAFF:
        book["人员"].append([*row, ""])
    book.save(path)


def test_admin_imports_a_site_and_a_new_guard_scans_a_new_tag(phone_factory, tmp_path):
    from wuye_field.places.models import Place, Site

    admin = phone_factory("admin")
    server = admin.server
    site_id = server.query(select(Site.id).where(Site.code == "DEMO"))[0][0]
    admin.login("admin01")
    admin.goto(f"/admin/sites/{site_id}")
    admin.page.click("a[data-link=import]")
    with admin.page.expect_download() as download:
        admin.page.click("a[data-link=template]")
    template = tmp_path / "site.xlsx"
    download.value.save_as(template)
    assert load_workbook(template).sheetnames[:4] == ["楼栋", "地点", "岗位", "人员"]

    fill_template(template, broken=True)
    admin.page.set_input_files("input[name=files]", str(template))
    admin.page.click("form[action$='/preview'] button[type=submit]")
    errors = admin.page.locator("[data-row-error]")
    assert errors.all_inner_texts() == ["地点 第 9 行 C 列：楼栋“10栋”不存在。"]
    assert admin.page.locator("[data-confirm]").count() == 0

    fill_template(template, broken=False)  # the one error fixed in the file, uploaded again
    admin.page.click("text=重新上传")
    admin.page.set_input_files("input[name=files]", str(template))
    admin.page.click("form[action$='/preview'] button[type=submit]")
    summary = {key: admin.page.locator(f"tr[data-sheet={key}] td[data-create]").inner_text()
               for key in ("buildings", "places", "staff")}
    assert summary == {"buildings": "2", "places": "12", "staff": "5"}
    admin.page.click("[data-confirm]")
    admin.page.locator("#passwords").wait_for()
    password = admin.page.locator("tr[data-account=NG01] [data-password]").inner_text()
    assert admin.page.locator("[data-password]").count() == 5
    with admin.page.expect_download() as printed:
        admin.page.click("a[data-link=tags]")
    pdf = tmp_path / "tags.pdf"
    printed.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    guard = phone_factory("new-guard")
    page = guard.page
    page.goto(server.url + "/login")
    page.fill("input[name=username]", "NG01")
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url("**/password**")
    assert page.locator("[data-forced]").is_visible()
    page.fill("input[name=current]", password)
    page.fill("input[name=new]", "ng01-own-pass")
    page.fill("input[name=repeat]", "ng01-own-pass")
    page.click("#password-form button[type=submit]")
    page.wait_for_url(lambda url: "/password" not in url)

    token = server.query(select(Place.tag_token).where(Place.code == "NB02"))[0][0]
    guard.goto(f"/t/{token}")
    form = page.locator("form[data-action=scan]")
    form.locator("button[type=submit]").click()
    form.locator("[data-outbox-result]").filter(has_text="8栋天台").wait_for()
    from wuye_field.patrol.models import Scan

    place_id = server.query(select(Place.id).where(Place.code == "NB02"))[0][0]
    assert poll(lambda: server.query(select(Scan.id).where(Scan.place_id == place_id)))
