"""QR tag sheets (decoded back with zxing-cpp), the CJK font, the `wuye tags` command and tag re-issue."""
from __future__ import annotations

import csv
import io
import re

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import select

from wuye_field.extensions import db
from wuye_field.places import tags
from wuye_field.places.models import TAG_TOKEN_BYTES, Building, Place, new_tag_token, places_of_site

A4_POINTS = (595.28, 841.89)


def _active_places(site) -> list[Place]:
    return list(db.session.scalars(places_of_site(site.id)))


def _sheet_urls(site) -> list[str]:
    """A full sheet: every active place's tag, then every building's residents' window (楼栋公示)."""
    return [p.tag_url for p in _active_places(site)] + [b.public_url for b in _buildings(site)]


def _buildings(site) -> list[Building]:
    return list(db.session.scalars(select(Building).where(Building.site_id == site.id)))


def _place(site, code: str) -> Place:
    return db.session.scalar(select(Place).where(Place.site_id == site.id, Place.code == code))


def _decode(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def _decode_png_bytes(data: bytes) -> list[str]:
    return _decode(Image.open(io.BytesIO(data)))


def _pdf_pages(data: bytes) -> list[tuple[list[float], Image.Image]]:
    """(MediaBox, page image) for each page of a PDF written by Pillow (one JPEG image per page)."""
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    boxes = [[float(n) for n in m.group(1).split()]
             for m in re.finditer(rb"/MediaBox\s*\[\s*([-\d.\s]+?)\s*\]", data)]
    images = []
    for match in re.finditer(rb"/Filter\s*/DCTDecode.*?stream\r?\n", data, re.S):
        end = data.index(b"endstream", match.end())
        images.append(Image.open(io.BytesIO(data[match.end():end])))
    assert len(boxes) == len(images)
    return list(zip(boxes, images, strict=True))


@pytest.fixture
def font_path(app) -> str:
    """The CJK font the app would draw tags with."""
    return tags.find_cjk_font(app.config.get("WUYE_CJK_FONT"))


# --- the rendered sheet scans ------------------------------------------------------------------

def test_png_pages_decode_to_exactly_the_active_places_tag_urls(demo, font_path):
    places = _active_places(demo)
    assert len(places) == 21
    pages = tags.render_pages(demo, places, font_path)
    assert len(pages) == 2 and all(page.size == tags.PAGE_SIZE for page in pages)

    decoded = [text for page in pages for text in _decode(page)]
    assert len(decoded) == 21
    assert set(decoded) == {place.tag_url for place in places}
    assert all(url.startswith("http://wuye.test/t/") for url in decoded)


def test_pdf_pages_are_a4_and_scan(demo, font_path):
    places = _active_places(demo)
    out = io.BytesIO()
    tags.write_pdf(tags.render_pages(demo, places, font_path), out)

    pages = _pdf_pages(out.getvalue())
    assert len(pages) == 2
    decoded = []
    for media_box, image in pages:
        assert media_box[:2] == [0, 0]
        assert media_box[2:] == pytest.approx(A4_POINTS, abs=1.5)
        assert image.size == tags.PAGE_SIZE
        decoded.extend(_decode(image))
    assert sorted(decoded) == sorted(place.tag_url for place in places)


def test_deactivated_places_are_left_off(demo, font_path):
    _place(demo, "CP01").active = False
    db.session.commit()
    pages = tags.render_pages(demo, tags.sheet_places(demo), font_path)
    decoded = {text for page in pages for text in _decode(page)}
    assert len(decoded) == 20 and _place(demo, "CP01").tag_url not in decoded


def test_long_names_stay_inside_their_tag(app, factories, font_path):
    longest = 60  # the name columns' limit
    site = factories.site(name=("一个名字特别长的小区用来测试页脚文字会不会超出标签边框" * 3)[:longest],
                          public_base_url="https://wuye.example.com/some/deeper/path")
    places = [
        factories.place(site, code="LONG1", kind="both",
                        name=("地下车库B2层北侧消防楼梯间与排烟机房之间的公共走廊尽头" * 3)[:longest]),
        factories.place(site, code="LONG2", kind="cleaning",
                        name="Underground garage B2, north staircase by the smoke fan room"[:longest]),
    ]
    db.session.commit()
    (page,) = tags.render_pages(site, places, font_path)

    first_row_bottom = tags._cell(0).top + tags._cell(0).height
    used_right = tags._cell(1).left + tags._cell(1).width
    # Everything past the two used cells (beyond their shared cut lines) must be blank paper.
    assert page.crop((used_right + 2, 0, *tags.PAGE_SIZE)).getextrema() == (255, 255)
    assert page.crop((0, first_row_bottom + 2, *tags.PAGE_SIZE)).getextrema() == (255, 255)
    assert page.crop((0, 0, tags.PAGE_SIZE[0], tags._cell(0).top - 1)).getextrema() == (255, 255)
    assert set(_decode(page)) == {place.tag_url for place in places}


def test_wrap_breaks_chinese_anywhere_and_latin_at_spaces(font_path):
    font = tags.load_font(font_path, 40)
    lines = tags._wrap("garage entrance staircase", font, int(font.getlength("garage entrance ")))
    assert lines == ["garage entrance", "staircase"]
    lines = tags._wrap("地下车库入口北侧", font, int(font.getlength("地下车库")))
    assert lines == ["地下车库", "入口北侧"]


def test_empty_sheet_is_refused(app, factories, font_path):
    site = factories.site()
    with pytest.raises(tags.DomainError):
        tags.render_pages(site, [], font_path)


# --- the CJK font ----------------------------------------------------------------------------

def _mask(font, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def test_the_font_draws_every_character_of_the_place_names(demo, font_path):
    font = tags.load_font(font_path, 48)
    missing = _mask(font, "\U0010fffd")
    assert _mask(font, "\U0010fffc") == missing  # the reference really is the missing-glyph box

    text = "".join(place.name + place.kind_label for place in _active_places(demo)) + demo.name
    for ch in sorted(set(text) - {" "}):
        size, pixels = _mask(font, ch)
        assert Image.frombytes("L", size, pixels).getbbox() is not None, f"{ch!r} drew nothing"
        assert (size, pixels) != missing, f"{ch!r} drew the missing-glyph box (tofu)"


def test_the_font_found_is_a_cjk_font(font_path):
    # Every 7th character of GB2312 level 1 (the 3,755 most common hanzi): a CJK font has them all.
    level_one = bytes(b for row in range(0xB0, 0xD8) for col in range(0xA1, 0xFF) for b in (row, col))
    sample = level_one.decode("gb2312", errors="ignore")[::7]
    assert len(sample) > 500
    assert tags.draws_glyphs(font_path, sample)
    assert not tags.draws_glyphs(font_path, "巡\U0010fffc")  # the check can fail


def test_configured_font_wins_and_a_missing_one_is_explained(tmp_path, font_path):
    assert tags.find_cjk_font(font_path) == font_path
    with pytest.raises(tags.FontMissing, match="WUYE_CJK_FONT"):
        tags.find_cjk_font(str(tmp_path / "nope.ttc"))


def test_no_cjk_font_tells_how_to_install_one(app, monkeypatch):
    monkeypatch.setattr(tags, "KNOWN_CJK_FONTS", ())
    monkeypatch.setattr(tags, "_fc_match_zh", lambda: None)
    with pytest.raises(tags.FontMissing) as caught:
        tags.find_cjk_font(None)
    assert "fonts-wqy-microhei" in caught.value.message and "make run" in caught.value.message
    assert "找不到中文字体" in caught.value.message


# --- tokens -------------------------------------------------------------------------------------

def test_tag_tokens_are_long_random_and_url_safe():
    tokens = {new_tag_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert TAG_TOKEN_BYTES * 8 >= 128
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) * 6 >= 128  # base64url: 6 random bits per character


# --- `flask wuye tags` ----------------------------------------------------------------------------

def test_cli_writes_a_pdf(runner, demo, tmp_path):
    out = tmp_path / "sheet.pdf"
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert len(_pdf_pages(out.read_bytes())) == 2


def test_cli_writes_one_png_per_page_and_names_them(runner, demo, tmp_path):
    out = tmp_path / "sheet.png"
    result = runner.invoke(args=["wuye", "tags", "demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    second = tmp_path / "sheet-2.png"
    assert result.output.split() == [str(out), str(second)]
    decoded = _decode_png_bytes(out.read_bytes()) + _decode_png_bytes(second.read_bytes())
    assert sorted(decoded) == sorted(_sheet_urls(demo))
    with Image.open(out) as image:
        assert image.info["dpi"] == pytest.approx((tags.DPI, tags.DPI), abs=0.1)


def test_cli_prints_chosen_places_only(runner, demo, tmp_path):
    out = tmp_path / "two.png"
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(out), "--place", "CP03", "--place", "cl01"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "two-2.png").exists()
    assert set(_decode_png_bytes(out.read_bytes())) == {_place(demo, "CP03").tag_url, _place(demo, "CL01").tag_url}


def test_cli_writes_a_csv_excel_can_open(runner, demo, tmp_path):
    out = tmp_path / "sheet.csv"
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == ["代码", "名称", "类型", "标签网址"]
    assert len(rows) == 24
    expected = {p.code: [p.code, p.name, p.kind_label, p.tag_url] for p in _active_places(demo)}
    expected |= {b.name: [b.name, f"{b.name} 住户服务", "楼栋公示", b.public_url] for b in _buildings(demo)}
    assert {row[0]: row for row in rows} == expected
    assert expected["CP05"][1:3] == ["配电房", "巡更点"]


@pytest.mark.parametrize(("args", "message"), [
    (["NOPE", "--out", "x.pdf"], "没有代码为 NOPE 的小区"),
    (["DEMO", "--out", "x.docx"], ".pdf, .png or .csv"),
    (["DEMO", "--out", "x.pdf", "--place", "ZZ99"], "要打印的地点不存在"),
])
def test_cli_errors_exit_non_zero(runner, demo, tmp_path, args, message):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = runner.invoke(args=["wuye", "tags", args[0], "--out", str(out_dir / args[2]), *args[3:]])
    assert result.exit_code != 0
    assert message in result.output
    assert not any(out_dir.iterdir())


def test_cli_without_a_cjk_font_explains(runner, demo, tmp_path, monkeypatch):
    monkeypatch.setattr(tags, "KNOWN_CJK_FONTS", ())
    monkeypatch.setattr(tags, "_fc_match_zh", lambda: None)
    result = runner.invoke(args=["wuye", "tags", "DEMO", "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "fonts-wqy-microhei" in result.output


# --- downloads --------------------------------------------------------------------------------

def test_admin_downloads_the_pdf(client, demo, auth):
    auth.login("admin01")
    response = client.get(f"/admin/sites/{demo.id}/tags.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert 'filename=DEMO-tags.pdf' in response.headers["Content-Disposition"]
    assert len(_pdf_pages(response.data)) == 2


def test_admin_downloads_png_pages(client, demo, auth):
    auth.login("admin01")
    first = client.get(f"/admin/sites/{demo.id}/tags.png")
    second = client.get(f"/admin/sites/{demo.id}/tags.png?page=2")
    assert first.mimetype == second.mimetype == "image/png"
    assert "DEMO-tags-2.png" in second.headers["Content-Disposition"]
    decoded = _decode_png_bytes(first.data) + _decode_png_bytes(second.data)
    assert sorted(decoded) == sorted(_sheet_urls(demo))
    assert client.get(f"/admin/sites/{demo.id}/tags.png?page=3").status_code == 404


def test_admin_downloads_the_csv(client, demo, auth):
    auth.login("admin01")
    response = client.get(f"/admin/sites/{demo.id}/tags.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = response.data.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 25 and sum("楼栋公示" in line for line in lines) == 3


def test_admin_prints_one_place(client, demo, auth):
    place = _place(demo, "CP05")
    auth.login("admin01")
    response = client.get(f"/admin/sites/{demo.id}/tags.png?place={place.id}")
    assert _decode_png_bytes(response.data) == [place.tag_url]


def test_admin_prints_the_places_and_buildings_an_import_created(client, demo, auth):
    place, building = _place(demo, "CP05"), _buildings(demo)[0]
    auth.login("admin01")
    response = client.get(f"/admin/sites/{demo.id}/tags.png?place={place.id}&building={building.id}")
    assert sorted(_decode_png_bytes(response.data)) == sorted([place.tag_url, building.public_url])


def test_place_of_another_site_cannot_be_printed_here(client, demo, auth, factories):
    other = factories.place(factories.site(), name="别家配电房")
    db.session.commit()
    auth.login("admin01")
    assert client.get(f"/admin/sites/{demo.id}/tags.pdf?place={other.id}").status_code == 404


def test_unknown_format_is_404(client, demo, auth):
    auth.login("admin01")
    assert client.get(f"/admin/sites/{demo.id}/tags.docx").status_code == 404


def test_sheet_needs_sign_in(client, demo):
    response = client.get(f"/admin/sites/{demo.id}/tags.pdf")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("fmt", ["pdf", "png", "csv"])
def test_guard_cannot_download(client, demo, auth, fmt):
    auth.login("guard01")
    assert client.get(f"/admin/sites/{demo.id}/tags.{fmt}").status_code in (403, 404)


@pytest.mark.parametrize("fmt", ["pdf", "png", "csv"])
def test_admin_of_another_site_gets_404(client, demo, auth, factories, fmt):
    factories.user(role="admin", site=factories.site(), staff_no="otheradmin")
    db.session.commit()
    auth.login("otheradmin", "password-123")
    assert client.get(f"/admin/sites/{demo.id}/tags.{fmt}").status_code == 404


# --- re-issue ---------------------------------------------------------------------------------

def test_reissue_retires_the_old_tag(client, demo, auth):
    place = _place(demo, "CP05")
    old = place.tag_token
    auth.login("admin01")
    response = client.post(f"/admin/places/{place.id}/reissue", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="tag-actions-{place.id}"' in response.text
    assert "已重新发放标签，旧标签作废" in response.text
    assert "<html" not in response.text  # the partial, not a page

    db.session.expire_all()
    new = _place(demo, "CP05").tag_token
    assert new != old
    retired = client.get(f"/t/{old}")
    assert retired.status_code == 410 and "已更换" in retired.text and "配电房" in retired.text
    current = client.get(f"/t/{new}")
    assert current.status_code == 200 and "配电房" in current.text


def test_reissued_tag_prints_the_new_token(client, demo, auth):
    place = _place(demo, "CP05")
    auth.login("admin01")
    client.post(f"/admin/places/{place.id}/reissue", headers={"HX-Request": "true"})
    db.session.expire_all()
    response = client.get(f"/admin/sites/{demo.id}/tags.png?place={place.id}")
    assert _decode_png_bytes(response.data) == [_place(demo, "CP05").tag_url]


def test_reissue_without_htmx_redirects_with_303(client, demo, auth):
    place = _place(demo, "CP05")
    auth.login("admin01")
    response = client.post(f"/admin/places/{place.id}/reissue")
    assert response.status_code == 303
    # Back to the place's admin page (or, where that page is absent, to the new tag's PDF).
    assert response.headers["Location"] in (f"/admin/places/{place.id}",
                                            f"/admin/sites/{demo.id}/tags.pdf?place={place.id}")


def test_place_edit_page_shows_the_tag_actions(client, demo, auth):
    place = _place(demo, "CP05")
    auth.login("admin01")
    response = client.get(f"/admin/places/{place.id}")
    assert response.status_code == 200
    assert f'id="tag-actions-{place.id}"' in response.text and "重新发放标签" in response.text


def test_tag_actions_component_offers_print_and_reissue(app, demo):
    from flask import render_template

    place = _place(demo, "CP05")
    with app.test_request_context():
        html = render_template("places/_tag_actions.html", place=place)
    assert f'hx-post="/admin/places/{place.id}/reissue"' in html
    assert "hx-confirm=" in html and "重新发放标签" in html
    assert f"/admin/sites/{demo.id}/tags.pdf?place={place.id}" in html
    assert 'hx-target="this"' in html and 'hx-swap="outerHTML"' in html


def test_guard_cannot_reissue(client, demo, auth):
    place = _place(demo, "CP05")
    old = place.tag_token
    auth.login("guard01")
    assert client.post(f"/admin/places/{place.id}/reissue").status_code in (403, 404)
    db.session.expire_all()
    assert _place(demo, "CP05").tag_token == old


def test_admin_of_another_site_cannot_reissue(client, demo, auth, factories):
    factories.user(role="admin", site=factories.site(), staff_no="otheradmin")
    db.session.commit()
    place = _place(demo, "CP05")
    old = place.tag_token
    auth.login("otheradmin", "password-123")
    assert client.post(f"/admin/places/{place.id}/reissue").status_code == 404
    db.session.expire_all()
    assert _place(demo, "CP05").tag_token == old
