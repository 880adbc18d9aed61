"""The month's assessment as an A4 PDF from the server (fpdf2), drawn from the same dict as the page, in
the CJK font the tag sheet uses (`places.tags.find_cjk_font`, WUYE_CJK_FONT)."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF

from wuye_field.places.models import Site
from wuye_field.places.tags import find_cjk_font


def _font(doc: FPDF) -> None:
    path = find_cjk_font(current_app.config.get("WUYE_CJK_FONT"))
    options = {"collection_font_number": 0} if path.lower().endswith((".ttc", ".otc")) else {}
    doc.add_font("cjk", fname=path, **options)
    doc.set_font("cjk", size=11)


def _num(value) -> str:
    return "—" if value is None else f"{value:g}"


def _plain(value) -> str:
    return "none" if value is None else f"{value:g}"


def render(site: Site, result: dict) -> bytes:
    doc = FPDF(format="A4")
    # The figures in the document's properties too, in ASCII, so a reader program can check them against the page.
    doc.set_subject(f"{site.code} {result['month']} total={_plain(result['total'])} "
                    f"inspection={_plain(result['inspection'])} survey={_plain(result['survey'])}")
    doc.set_auto_page_break(True, margin=15)
    doc.add_page()
    _font(doc)
    width = doc.w - doc.l_margin - doc.r_margin

    def line(text: str, size: int = 11, height: float = 7) -> None:
        doc.set_font("cjk", size=size)
        doc.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")

    line(_("%(site)s %(month)s 月度考核", site=site.name, month=result["month"]), 16, 10)
    line(_("总分 %(total)s　等级 %(grade)s", total=_num(result["total"]), grade=result["grade"] or _("不完整")), 14, 9)
    line(_("检查得分 %(i)s（×60%%）　满意度 %(s)s（×40%%）", i=_num(result["inspection"]), s=_num(result["survey"])))
    if result["message"]:
        line(result["message"])
    if result["pending"]:
        line(_("待确认 %(n)s 项", n=result["pending"]))
    for veto in result["vetoes"]:
        line(_("一票否决：%(v)s", v=veto["label"]))
    bond = f"{result['bond_percent']:+d}"
    line(_("履约保证金 %(b)s%%　连续不合格 %(n)s 个月", b=bond, n=result["streak"]))
    doc.ln(2)
    for item in result["items"]:
        line(f"{item['name']}　{_num(item['score'])} / {_num(item['max_points'])}", 12, 8)
        for d in item["deductions"]:
            state = {"accepted": _("已确认"), "pending": _("待确认"), "rejected": _("已驳回")}[d["status"]]
            line(f"　− {_num(d['total'])}　{d['label']}　{_('证据 %(n)s 条', n=d['count'])}　{state}", 10, 6)
    survey = result.get("survey_summary")
    if survey:
        rate = survey["dissatisfaction_rate"]
        shown = "—" if rate is None else f"{rate * 100:.0f}%"
        line(_("满意度调查：%(n)s 份，不满意率 %(r)s", n=survey["responses"], r=shown))
    for sign in result.get("signatures", []):
        line(_("签字：%(role)s %(name)s %(at)s", role=sign["label"], name=sign["name"], at=sign["at"]))
    return bytes(doc.output())
