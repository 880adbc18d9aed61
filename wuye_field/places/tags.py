"""Printable QR tag sheets: A4 pages of tags drawn with Pillow and a CJK font, as PDF, PNG or CSV."""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import qrcode
from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy import select

from wuye_field.core.errors import DomainError, NotFound
from wuye_field.extensions import db
from wuye_field.places.models import Building, Place, Site, places_of_site

DPI = 200
PAGE_SIZE = (1654, 2339)  # A4 (210 × 297 mm) at 200 dpi
MARGIN = 50  # ≈ 6 mm: clear of the unprintable border of office printers
COLUMNS, ROWS = 3, 4
TAGS_PER_PAGE = COLUMNS * ROWS
CELL_PADDING = 18
QR_BORDER = 4  # quiet zone in modules, the minimum the QR standard asks for
NAME_BOX_HEIGHT = 100
FORMATS = {"pdf": "application/pdf", "png": "image/png", "csv": "text/csv; charset=utf-8"}

KNOWN_CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
)
_FONT_PROBE = "巡更点保洁区域"


class FontMissing(DomainError):
    """No font that can draw Chinese was found on this machine."""

    status = 500
    code = "cjk_font_missing"


def find_cjk_font(configured: str | None = None) -> str:
    """Path of a font that draws Chinese: `configured` (WUYE_CJK_FONT), a known Debian path, or fc-match.

    Raises FontMissing when none is found, saying how to install one.
    """
    if configured:
        if Path(configured).is_file():
            return configured
        raise FontMissing(_("找不到中文字体文件 %(path)s（WUYE_CJK_FONT）。CJK font not found: %(path)s",
                            path=configured))
    for candidate in KNOWN_CJK_FONTS:
        if Path(candidate).is_file():
            return candidate
    matched = _fc_match_zh()
    if matched and draws_glyphs(matched, _FONT_PROBE):
        return matched
    raise FontMissing(_(
        "找不到中文字体，无法打印标签。请运行 make run（会安装 fonts-wqy-microhei），"
        "或 sudo apt-get install fonts-wqy-microhei，或设置 WUYE_CJK_FONT。"
        " No CJK font found: run `make run` or install fonts-wqy-microhei, or set WUYE_CJK_FONT."
    ))


def _fc_match_zh() -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        result = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"],
                                capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    path = result.stdout.strip()
    return path if path and Path(path).is_file() else None


@lru_cache(maxsize=128)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """The font at `size` px; in a collection, the Simplified Chinese face (Noto CJK lists Japanese first)."""
    # Chinese and Latin need no shaping; the basic layout measures text ~40× faster than raqm.
    first = ImageFont.truetype(path, size, index=0, layout_engine=ImageFont.Layout.BASIC)
    if not path.lower().endswith((".ttc", ".otc")):
        return first
    for index in range(1, 10):
        try:
            face = ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            break
        if (face.getname()[0] or "").endswith(" SC"):
            return face
    return first


def draws_glyphs(path: str, text: str) -> bool:
    """True when every character of `text` renders as something other than the font's missing-glyph box."""
    font = load_font(path, 32)
    missing = font.getmask("\U0010fffd")
    return all(_mask_bytes(font.getmask(ch)) != _mask_bytes(missing) for ch in text if not ch.isspace())


def _mask_bytes(mask) -> tuple[tuple[int, int], bytes]:
    return mask.size, bytes(mask)


# --- choosing what goes on the sheet -------------------------------------------------------------

def sheet_places(site: Site, *, place_ids: Iterable[int] = (), codes: Iterable[str] = ()) -> list[Place]:
    """The site's active places by code, or only those picked by id or code.

    Raises NotFound when a picked place is not an active place of `site`.
    """
    places = list(db.session.scalars(places_of_site(site.id)))
    wanted_ids, wanted_codes = set(place_ids), {c.strip().upper() for c in codes}
    if not wanted_ids and not wanted_codes:
        return places
    picked = [p for p in places if p.id in wanted_ids or p.code.upper() in wanted_codes]
    found = {p.id for p in picked} | {p.code.upper() for p in picked}
    if not wanted_ids <= found or not wanted_codes <= found:
        raise NotFound(_("要打印的地点不存在或已停用。"))
    return picked


@dataclass(frozen=True)
class BuildingTag:
    """A building's residents' window (楼栋公示) drawn and listed like a place's tag: the QR opens /b/<token>."""

    name: str
    code: str
    tag_token: str
    site: Site

    @property
    def kind_label(self) -> str:
        return _("楼栋公示")

    @property
    def tag_url(self) -> str:
        return self.site.building_url(self.tag_token)


def sheet_buildings(site: Site, *, building_ids: Iterable[int] = (), every: bool = False) -> list[BuildingTag]:
    """The buildings' public QRs for the sheet: every building of `site`, or those picked by id."""
    wanted = set(building_ids)
    if not wanted and not every:
        return []
    buildings = db.session.scalars(select(Building).where(Building.site_id == site.id).order_by(Building.name))
    return [BuildingTag(name=_("%(name)s 住户服务", name=b.name), code=b.name, tag_token=b.public_token, site=site)
            for b in buildings if every or b.id in wanted]


def site_by_code(code: str) -> Site:
    """The site with short code `code` (case-insensitive); NotFound otherwise."""
    site = db.session.scalar(select(Site).where(Site.code == code.strip().upper()))
    if site is None:
        raise NotFound(_("没有代码为 %(code)s 的小区。", code=code))
    return site


# --- drawing -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Box:
    left: int
    top: int
    width: int
    height: int

    @property
    def centre_x(self) -> int:
        return self.left + self.width // 2


def render_pages(site: Site, places: Sequence[Place], font_path: str) -> list[Image.Image]:
    """A4 greyscale pages with TAGS_PER_PAGE tags each, in the order given.

    Raises DomainError when `places` is empty (a sheet with no tags is a mistake, not an empty PDF).
    """
    if not places:
        raise DomainError(_("没有可打印的地点。"), code="no_places")
    pages = []
    for start in range(0, len(places), TAGS_PER_PAGE):
        page = Image.new("L", PAGE_SIZE, 255)
        draw = ImageDraw.Draw(page)
        for slot, place in enumerate(places[start:start + TAGS_PER_PAGE]):
            _draw_tag(page, draw, _cell(slot), site, place, font_path)
        pages.append(page)
    return pages


def _cell(slot: int) -> _Box:
    width = (PAGE_SIZE[0] - 2 * MARGIN) // COLUMNS
    height = (PAGE_SIZE[1] - 2 * MARGIN) // ROWS
    row, column = divmod(slot, COLUMNS)
    return _Box(MARGIN + column * width, MARGIN + row * height, width, height)


def _draw_tag(page: Image.Image, draw: ImageDraw.ImageDraw, cell: _Box, site: Site, place: Place,
              font_path: str) -> None:
    _dashed_rectangle(draw, cell)
    inner = _Box(cell.left + CELL_PADDING, cell.top + CELL_PADDING,
                 cell.width - 2 * CELL_PADDING, cell.height - 2 * CELL_PADDING)

    name_bottom = _draw_name(draw, place.name, _Box(inner.left, inner.top, inner.width, NAME_BOX_HEIGHT), font_path)

    code_font = _fit_font(font_path, f"{place.code} · {place.kind_label}", inner.width, 36, 20)
    site_font = _fit_font(font_path, site.name, inner.width, 26, 16)
    site_top = inner.top + inner.height - _line_height(site_font)
    code_top = site_top - 4 - _line_height(code_font)

    qr = _qr_image(place.tag_url, min(inner.width, code_top - name_bottom - 8))
    qr_top = name_bottom + (code_top - name_bottom - qr.height) // 2
    page.paste(qr, (inner.centre_x - qr.width // 2, qr_top))

    _centred(draw, _ellipsize(f"{place.code} · {place.kind_label}", code_font, inner.width), code_font,
             inner.centre_x, code_top)
    _centred(draw, _ellipsize(site.name, site_font, inner.width), site_font, inner.centre_x, site_top, fill=70)


def _qr_image(url: str, room: int) -> Image.Image:
    """The QR for `url` with whole-pixel modules, as large as fits in a `room`-px square."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QR_BORDER, box_size=1)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the quiet zone
    modules = len(matrix)
    image = Image.new("L", (modules, modules), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    scale = max(1, room // modules)
    return image.resize((modules * scale, modules * scale), Image.Resampling.NEAREST)


def _draw_name(draw: ImageDraw.ImageDraw, name: str, box: _Box, font_path: str) -> int:
    """Draw the place name as large as fits `box` (wrapping onto more lines as it shrinks); return its bottom."""
    for size in range(52, 17, -2):
        font = load_font(font_path, size)
        line_height = _line_height(font)
        max_lines = max(1, box.height // line_height)
        lines = _wrap(name, font, box.width)
        if len(lines) <= max_lines:
            break
    else:
        lines = lines[:max_lines]
        lines[-1] = _ellipsize(lines[-1] + "…", font, box.width)
    top = box.top + (box.height - line_height * len(lines)) // 2
    for i, line in enumerate(lines):
        _centred(draw, line, font, box.centre_x, top + i * line_height)
    return box.top + box.height


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy wrap: Chinese breaks between any two characters, Latin words at spaces when possible."""
    lines, line = [], ""
    for ch in " ".join(text.split()):
        if font.getlength(line + ch) <= width or not line:
            line += ch
            continue
        cut = line.rfind(" ")
        if ch != " " and ch.isascii() and line[-1:].isascii() and cut > 0:
            lines.append(line[:cut])
            line = line[cut + 1:] + ch
        else:
            lines.append(line.rstrip())
            line = ch.lstrip()
    if line:
        lines.append(line)
    return lines


def _fit_font(font_path: str, text: str, width: int, largest: int, smallest: int) -> ImageFont.FreeTypeFont:
    for size in range(largest, smallest, -2):
        font = load_font(font_path, size)
        if font.getlength(text) <= width:
            return font
    return load_font(font_path, smallest)


def _ellipsize(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    ascent, descent = font.getmetrics()
    return ascent + descent


def _centred(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, x: int, top: int,
             fill: int = 0) -> None:
    draw.text((x, top), text, font=font, fill=fill, anchor="ma")


def _dashed_rectangle(draw: ImageDraw.ImageDraw, box: _Box, dash: int = 14, gap: int = 10) -> None:
    """Grey cut lines; neighbouring cells share an edge, so each line is cut once."""
    right, bottom = box.left + box.width, box.top + box.height
    for x in range(box.left, right, dash + gap):
        for y in (box.top, bottom):
            draw.line([(x, y), (min(x + dash, right), y)], fill=150, width=2)
    for y in range(box.top, bottom, dash + gap):
        for x in (box.left, right):
            draw.line([(x, y), (x, min(y + dash, bottom))], fill=150, width=2)


# --- writing files -------------------------------------------------------------------------------

def write_pdf(pages: Sequence[Image.Image], fileobj: BinaryIO) -> None:
    """All pages into one PDF whose pages are A4 (the resolution maps the pixels onto 210 × 297 mm)."""
    first, *rest = pages
    first.save(fileobj, "PDF", save_all=True, append_images=rest, resolution=float(DPI), quality=85,
               title="QR tags", creator="Wuye Field")


def write_png(page: Image.Image, fileobj: BinaryIO) -> None:
    """One page as a PNG that prints at A4 (its DPI is recorded in the file)."""
    page.save(fileobj, "PNG", dpi=(DPI, DPI))


def write_csv(site: Site, places: Sequence[Place], fileobj: BinaryIO) -> None:
    """One row per place — code, name, kind, tag URL — UTF-8 with a BOM so Excel shows the Chinese."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([_("代码"), _("名称"), _("类型"), _("标签网址")])
    for place in places:
        writer.writerow([place.code, place.name, place.kind_label, place.tag_url])
    text.detach()  # leave the caller's file open


def export_sheet(site: Site, places: Sequence[Place], fmt: str, *, font_config: str | None = None,
                 page: int = 1) -> bytes:
    """The tag sheet as bytes: the whole PDF, page `page` (1-based) as PNG, or the CSV.

    `font_config` is WUYE_CJK_FONT (None → discovery). Raises NotFound for a PNG page past the end,
    FontMissing without a CJK font, DomainError for no places.
    """
    out = io.BytesIO()
    if fmt == "csv":
        write_csv(site, places, out)
        return out.getvalue()
    pages = render_pages(site, places, find_cjk_font(font_config))
    if fmt == "pdf":
        write_pdf(pages, out)
    elif 1 <= page <= len(pages):
        write_png(pages[page - 1], out)
    else:
        raise NotFound(_("标签页第 %(page)s 页不存在（共 %(total)s 页）。", page=page, total=len(pages)))
    return out.getvalue()


def sheet_filename(site: Site, fmt: str, page: int = 1) -> str:
    """Download name such as `DEMO-tags.pdf`, `DEMO-tags-2.png`."""
    suffix = f"-{page}" if fmt == "png" and page > 1 else ""
    return f"{site.code}-tags{suffix}.{fmt}"


def write_sheet_files(site: Site, out: Path, fmt: str, *, codes: Iterable[str] = (),
                      font_config: str | None = None) -> list[Path]:
    """Write the sheet of `site` (or of the places with `codes`) to `out`; return the paths written.

    A PNG sheet of several pages goes to `out`, then `<stem>-2.png`, `<stem>-3.png`, …
    Raises NotFound for an unknown place code, FontMissing without a CJK font, DomainError for no places.
    """
    codes = list(codes)
    places = [*sheet_places(site, codes=codes), *sheet_buildings(site, every=not codes)]
    if fmt == "csv":
        with out.open("wb") as fileobj:
            write_csv(site, places, fileobj)
        return [out]
    pages = render_pages(site, places, find_cjk_font(font_config))
    if fmt == "pdf":
        with out.open("wb") as fileobj:
            write_pdf(pages, fileobj)
        return [out]
    paths = [out] + [out.with_name(f"{out.stem}-{n}{out.suffix}") for n in range(2, len(pages) + 1)]
    for page, path in zip(pages, paths, strict=True):
        with path.open("wb") as fileobj:
            write_png(page, fileobj)
    return paths
