"""The direction center in a real browser (Chromium through Playwright), on the demo's data.

A national reviewer opens the overview (no console errors), the map (34 provinces drawn),
clicks a province (its page opens), changes the period (the figures change without a page
load), downloads a panel as CSV (the rows the panel shows), and looks at the reporting board,
the alerts and the video wall. Each page is photographed into the screenshot folder, which CI
keeps (`BAOCAO_SCREENSHOTS`, default data/screenshots).

The server shares the test's in-memory SQLite connection, as the report pages' browser test
explains (baocao/submissions/tests/test_browser.py), so the module runs on SQLite only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from baocao.analytics import services as analytics_services
from baocao.submissions.tests.test_browser import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    _screenshot_dir,
    server_url,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium is not at {CHROMIUM}"),
]

# Enough of the demo for every page: six provinces (the notable cases first), their communes
# in part, since January 2025.
DEMO = ["--provinces", "6", "--since", "202501", "--communes", "6"]
LEADER = "kiemduyet.cp"  # the Government's reviewer: sees the whole country


@pytest.fixture
def demo(sample_catalogue, store, settings, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    call_command("demo_reporting", stdout=io.StringIO())
    call_command("demo_direction", *DEMO, stdout=io.StringIO())
    analytics_services.analytics_rebuild()
    logins: dict[str, str] = json.loads((tmp_path / "demo-reporting-passwords.json").read_text())
    return logins


class Leader:
    """A Chromium page signed in as the national reviewer, and what its console said."""

    def __init__(self, page, base: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.shots = _screenshot_dir()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="networkidle")

    def shot(self, name: str) -> None:
        self.page.wait_for_timeout(300)  # Plotly's transitions
        self.page.screenshot(path=str(self.shots / f"direction-{name}.png"), full_page=True)


@pytest.fixture
def leader(server_url, demo) -> Iterator[Leader]:  # type: ignore[no-untyped-def]  # noqa: F811
    from django.db import connections
    from playwright.sync_api import sync_playwright

    shared = connections["default"]
    with sync_playwright() as playwright:
        connections["default"] = shared
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 1440, "height": 900}, accept_downloads=True, locale="vi-VN"
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser = Leader(page, server_url)
        browser.go("/login/")
        page.fill("input[name=username]", LEADER)
        page.fill("input[name=password]", demo[LEADER])
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        yield browser
        context.close()
        chromium.close()


def test_a_leader_follows_the_country_from_the_overview_to_a_province(leader: Leader) -> None:
    from playwright.sync_api import expect

    page = leader.page
    leader.go("/direction/")
    expect(page.locator("h1")).to_have_text("Tổng quan tình hình kinh tế - xã hội")
    expect(page.locator(".tile").first).to_be_visible()
    # Nine areas of QĐ 293, each a panel of tiles.
    assert page.locator(".panel--tiles").count() == 9
    # The alerts arrive a moment after the page (htmx), in place of "Đang tải…".
    expect(page.locator(".panel--alerts .alert-item").first).to_be_visible()
    leader.shot("01-overview")
    assert leader.errors == []

    # The map: the 34 provinces drawn, Hoàng Sa and Trường Sa labelled.
    leader.go("/direction/map/")
    provinces = page.locator(".panel--map path.choroplethlocation")
    expect(provinces).to_have_count(34)
    expect(page.locator(".panel--map").get_by_text("Quần đảo Hoàng Sa")).to_be_visible()
    leader.shot("02-map")

    # A click on a province opens its page (the first province with a figure, by its shape).
    box = provinces.nth(0).bounding_box()
    assert box is not None
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "/direction/units/" in page.url
    expect(page.locator(".breadcrumb")).to_contain_text("Cả nước")
    leader.shot("03-province")
    assert leader.errors == []


def test_a_filter_change_updates_the_charts_and_a_download_has_their_rows(
    leader: Leader,
) -> None:
    from playwright.sync_api import expect

    page = leader.page
    leader.go("/direction/sectors/TTKT/")
    table = page.locator(".panel--table").first
    before = table.inner_text()
    series = page.locator(".panel--line .js-plotly-plot").first
    expect(series).to_be_visible()
    leader.shot("04-sector")

    # Another month: htmx swaps the page's content, the charts are drawn again, no reload.
    page.evaluate("window.__sameDocument = true")
    page.select_option("#f-period", index=3)
    page.click(".direction-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"period="))
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__sameDocument === true")  # the same document: no reload
    expect(page.locator(".panel--line .js-plotly-plot").first).to_be_visible()
    assert page.locator(".panel--table").first.inner_text() != before

    # The table's CSV holds the rows the table shows.
    with page.expect_download() as info:
        page.locator(".panel--table").first.locator("[data-download=csv]").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    shown = page.locator(".panel--table").first.locator("tbody tr")
    assert len(rows) - 1 == shown.count()
    first_name = shown.first.locator("th").inner_text().strip()
    assert first_name in {row[1] for row in rows[1:]}
    assert leader.errors == []


def test_the_board_the_alerts_and_the_video_wall(leader: Leader) -> None:
    from playwright.sync_api import expect

    page = leader.page
    leader.go("/direction/reporting/")
    expect(page.locator("table").first).to_be_visible()
    leader.shot("05-reporting-board")
    leader.go("/direction/alerts/")
    expect(page.locator(".alert-item").first).to_be_visible()
    leader.shot("06-alerts")
    leader.go("/direction/indicators/ODVM.CPI_CK/")
    expect(page.locator(".panel--ranking .js-plotly-plot")).to_be_visible()
    leader.shot("07-indicator")
    leader.go("/direction/?screen=1")
    expect(page.locator(".direction--screen")).to_be_visible()
    expect(page.locator(".site-header")).to_be_hidden()
    leader.shot("08-video-wall")
    assert leader.errors == []


def test_bad_input_gets_a_clear_page_in_the_browser(leader: Leader) -> None:
    from playwright.sync_api import expect

    leader.go("/direction/units/99999/")
    expect(leader.page.locator(".problem")).to_contain_text("Không có đơn vị 99999")
    leader.shot("09-unknown-unit")


def test_the_figures_change_without_a_reload_when_a_value_changes(leader: Leader, settings) -> None:  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from django.utils import timezone
    from playwright.sync_api import expect

    from baocao.submissions.models import DataValue
    from baocao.submissions.tests.test_browser import DB_LOCK

    settings.DIRECTION_POLL_SECONDS = 1
    page = leader.page
    leader.go("/direction/")
    retail = page.locator('.tile[data-indicator="TTKT.BAN_LE"] .tile__value')
    before = retail.inner_text()
    page.evaluate("window.__sameDocument = true")
    with DB_LOCK:  # the server thread shares this connection
        value = (
            DataValue.objects.filter(
                indicator__code="TTKT.BAN_LE", period=page_period(page), disaggregation=""
            )
            .exclude(report=None)
            .first()
        )
        assert value is not None
        value.value = str(Decimal(value.value) + 5000)
        value.updated_at = timezone.now()
        value.save(update_fields=["value", "updated_at"])
    expect(retail).not_to_have_text(before, timeout=15_000)
    assert page.evaluate("window.__sameDocument === true")
    assert leader.errors == []


def page_period(page) -> str:  # type: ignore[no-untyped-def]
    """The period the page shows (its filter)."""
    return str(page.locator("#f-period").input_value())


def test_a_page_prints_to_pdf_without_its_menus(leader: Leader, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    page = leader.page
    leader.go("/direction/")
    page.emulate_media(media="print")
    assert page.locator(".direction-nav").is_hidden()
    assert page.locator(".direction-filters").is_hidden()
    pdf = tmp_path / "tong-quan.pdf"
    page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
    assert pdf.stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Tổng quan tình hình kinh tế - xã hội" in text
        assert "Tăng trưởng kinh tế" in text
