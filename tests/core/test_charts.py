"""Server-rendered SVG charts (issue 12 item 6): no script, the numbers in text for screen readers, a link
to the table behind the chart."""
from __future__ import annotations

from wuye_field.core import charts


def test_trend_has_title_numbers_and_link():
    svg = str(charts.trend([("11-01", 1.0), ("11-02", None), ("11-03", 0.5)], "巡查按时率", "/reports/month#patrol"))
    assert '<a class="chart-link" href="/reports/month#patrol">' in svg and "<figcaption" in svg
    assert "<title>巡查按时率</title>" in svg and 'role="img"' in svg
    assert "<desc>11-01 100%; 11-02 —; 11-03 50%</desc>" in svg
    assert ">50%</text>" in svg and "<script" not in svg


def test_bars_and_strip_say_every_number():
    bars = str(charts.bars([("按时完成", 4, "chart-ok"), ("已超时", 1, "chart-missed")], "工单"))
    assert "<desc>按时完成 4; 已超时 1</desc>" in bars and ">4</text>" in bars and "<a " not in bars
    strip = str(charts.strip([("配电房", [("00:00", "按时", "chart-ok"), ("04:00", "漏巡", "chart-missed")])],
                             "今天", "/patrol/compliance/grid"))
    assert "<desc>配电房: 00:00 按时, 04:00 漏巡</desc>" in strip and "<title>04:00 漏巡</title>" in strip


def test_labels_are_escaped():
    svg = str(charts.bars([("<b>", 1, "x\"y")], "<script>"))
    assert "<script>" not in svg and "&lt;b&gt;" in svg


def test_a_trend_without_numbers_says_so():
    svg = str(charts.trend([("11-01", None), ("11-02", None)], "交接班"))
    assert "暂无数据" in svg and "<desc>11-01 —; 11-02 —</desc>" in svg
