"""The supervisor's home shows the last 30 days per duty, today's key areas and work orders as charts,
and the month page draws its month the same way (issue 12 item 6)."""
from __future__ import annotations


def test_supervisor_home_has_the_charts(client, auth, month_site):
    auth.login("s-mon", "password-123")
    html = client.get("/").get_data(as_text=True)
    card = html.split('id="home-reports"')[1].split("</section>")[0]
    titles = ("近30天巡查按时率", "近30天保洁按时率", "近30天交接班准时率", "今天各重要部位巡查时段",
              "工单按完成时限状态")
    for title in titles:
        assert f"<title>{title}</title>" in card
    assert card.count("<svg class=\"chart\"") == 5 and "配电房" in card  # the strip names each key area
    assert f"/reports/month?site={month_site.site.id}" in card


def test_guard_home_has_no_report_card(client, auth, month_site):
    auth.login("g-mon", "password-123")
    assert 'id="home-reports"' not in client.get("/").get_data(as_text=True)


def test_month_page_charts_link_to_their_tables(client, auth, month_site):
    auth.login("s-mon", "password-123")
    html = client.get(f"/reports/month?site={month_site.site.id}&month={month_site.month}").get_data(as_text=True)
    for anchor in ("#patrol", "#cleaning", "#handover", "#workorders"):
        assert f'<a class="chart-link" href="{anchor}">' in html
    assert html.count("<svg class=\"chart\"") == 4
