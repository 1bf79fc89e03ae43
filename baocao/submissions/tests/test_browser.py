"""The report pages in a real browser (Chromium through Playwright), as the demo users use them.

An officer of Phường Ba Đình fills next month's BC-DVC-THANG report, with a live error for a
mistyped number, saves, signs and sends it; the reviewer of Hà Nội returns it with a reason;
the officer corrects and sends again; the reviewer accepts. Hà Nội's officer then checks the
live row total and goes through the Excel template: download, fill, upload.

How the server sees the test's data, and why. The root conftest loads the national
hierarchy once per session and every test runs in a transaction rolled back at its end.
pytest-django's `live_server` needs `transactional_db`, which empties the tables after the
test: that would delete the session's units for the tests that follow, and it cannot even
run here, since the audit table refuses DELETE (migration audit/0002). So this module runs
its own live server inside the ordinary `db` transaction: on SQLite the test database is in
memory, and Django shares that one connection with the server thread (as LiveServerTestCase
does); the server handles one request at a time, so the two threads never use the
connection at once, and everything the browser did is rolled back with the test. On other
databases the server could not see the test's uncommitted rows, so the module is skipped
there (the same pages are covered by test_views.py on every database).
"""

from __future__ import annotations

import io
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command

from baocao.submissions.tests.conftest import open_period

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"Chromium is not installed at {CHROMIUM}"
)


def _screenshot_dir() -> Path:
    folder = Path(
        os.environ.get("BAOCAO_SCREENSHOTS", str(settings.BASE_DIR / "data" / "screenshots"))
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# The test thread and the server thread take turns on the shared connection: the server
# holds this lock while it handles a request, the test while it queries (`Browser.db`).
DB_LOCK = threading.RLock()


class Serialised:
    """A WSGI application that handles a request only while it holds `DB_LOCK`."""

    def __init__(self, application) -> None:  # type: ignore[no-untyped-def]
        self.application = application

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        with DB_LOCK:
            return self.application(environ, start_response)


@pytest.fixture
def server_url(db, settings, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import WSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

    connection = connections["default"]  # the wrapper itself, not the thread-local proxy
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        pytest.skip("the browser test shares the in-memory SQLite test database with its server")

    class OneRequestAtATime(LiveServerThread):
        def _create_server(self, connections_override=None):  # type: ignore[no-untyped-def]
            # Not threaded: the requests share the test's connection, one after the other.
            return WSGIServer(
                (self.host, self.port), QuietWSGIRequestHandler, allow_reuse_address=False
            )

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are plain synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    connection.inc_thread_sharing()

    def handler(application):  # type: ignore[no-untyped-def]
        return StaticFilesHandler(Serialised(application))

    thread = OneRequestAtATime("127.0.0.1", handler, connections_override={"default": connection})
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    try:
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
    finally:
        thread.terminate()
        connection.dec_thread_sharing()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo_logins(sample_catalogue, settings, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    call_command("demo_reporting", stdout=io.StringIO())
    return json.loads((tmp_path / "demo-reporting-passwords.json").read_text())


class Browser:
    """A Chromium page with the steps the scenario repeats, and what the console said."""

    def __init__(self, page, base: str, logins: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.base = base
        self.logins = logins
        self.console_errors: list[str] = []
        self.shots = _screenshot_dir()
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, username: str) -> None:
        self.go("/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", self.logins[username])
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def logout(self) -> None:
        self.page.click("form.logout button")
        self.page.wait_for_url(lambda url: "/login/" in url or url.rstrip("/") == self.base)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def status(self) -> str:
        return self.page.locator(".report-page").get_attribute("data-status") or ""

    def cell(self, indicator: str, disaggregation: str = ""):  # type: ignore[no-untyped-def]
        return self.page.locator(f'[name="v|{indicator}|{disaggregation}"]')


@pytest.fixture
def browser(server_url, demo_logins) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    from django.db import connections
    from playwright.sync_api import sync_playwright

    shared = connections["default"]
    with sync_playwright() as playwright:
        # Playwright's greenlets leave this thread in a new context, where Django would open
        # a second connection outside the test's transaction: hand it the test's one again.
        connections["default"] = shared
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = chromium.new_context(
            viewport={"width": 1360, "height": 900}, accept_downloads=True, locale="vi-VN"
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield Browser(page, server_url, demo_logins)
        context.close()
        chromium.close()


def test_enter_send_return_resend_accept(browser: Browser) -> None:
    from playwright.sync_api import expect

    from baocao.submissions import selectors
    from baocao.submissions.models import Report

    page = browser.page
    period = open_period().code
    browser.login("canbo.badinh")
    browser.go("/reports/")
    row = page.locator(f'tr[data-regime="BC-DVC-THANG"][data-period="{period}"]')
    expect(row).to_have_attribute("data-status", "not_started")
    browser.shot("01-my-reports")
    row.locator("a.button").click()
    page.wait_for_selector("#entry-form")
    assert browser.status() == "not_started"
    with DB_LOCK:
        report = Report.objects.get(regime__code="BC-DVC-THANG", unit__code="00004", period=period)
        cells = [cell.key[0] for cell in selectors.layout_of(report).cell_list()]

    # A Vietnamese number, then a typing mistake caught as it is typed, then corrected.
    browser.cell(cells[0]).fill("1.234")
    second = browser.cell(cells[1])
    second.click()
    second.press_sequentially("12a")
    error = page.locator(f"#{second.get_attribute('id')}-error")
    expect(error).to_be_visible()
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-dirty-indicator]")).to_be_visible()
    browser.shot("02-entry-live-error")
    second.press("Backspace")
    expect(error).to_be_hidden()
    # Enter moves down the column.
    second.press("Enter")
    focused = page.evaluate("document.activeElement.name")
    assert focused == f"v|{cells[2]}|"
    for number, code in enumerate(cells[2:], start=3):
        browser.cell(code).fill(str(number * 10))
    # The validation rules run as the officer types (issue 5): more online dossiers than
    # received ones is an error, shown before anything is saved, at the cells concerned.
    browser.cell(cells[1]).fill("2.000")
    browser.cell(cells[1]).press("Tab")
    finding = page.locator('#live-findings [data-importance="error"]')
    expect(finding).to_have_count(1)
    expect(browser.cell(cells[1])).to_have_class(re.compile("has-finding--error"))
    browser.shot("02b-entry-live-check")
    browser.cell(cells[1]).fill("12")
    browser.cell(cells[1]).press("Tab")
    expect(page.locator('#live-findings [data-findings="0"]')).to_have_count(1)
    page.locator('textarea[name="n|DANH_GIA"]').fill("Tiếp nhận, giải quyết hồ sơ đúng hạn.")
    page.click('[data-action="save"]')
    page.wait_for_selector(".alert--success")
    assert browser.status() == "draft"
    expect(browser.cell(cells[0])).to_have_value("1.234")
    expect(browser.cell(cells[1])).to_have_value("12")
    page.click('[data-action="submit"]')
    page.wait_for_selector('.report-page[data-status="submitted"]')
    browser.shot("03-entry-sent")

    # The reviewer of Hà Nội finds it in the inbox and returns it with a reason.
    browser.logout()
    browser.login("kiemduyet.hanoi")
    browser.go("/inbox/")
    inbox_row = page.locator(f'tr[data-report="{report.pk}"]')
    expect(inbox_row).to_have_attribute("data-status", "submitted")
    browser.shot("04-inbox")
    inbox_row.locator("a.button").click()
    page.wait_for_selector('[data-signature="valid"]')
    browser.shot("05-review-v1")
    page.fill("#id_return_reason", "Số hồ sơ quá hạn chưa khớp với phần mềm một cửa.")
    page.click('[data-action="return"]')
    page.wait_for_selector('.report-page[data-status="returned"]')

    # The officer sees the reason, corrects a value and sends again.
    browser.logout()
    browser.login("canbo.badinh")
    browser.go(f"/reports/{report.pk}/")
    expect(page.locator("[data-return-reason]")).to_contain_text("phần mềm một cửa")
    browser.shot("06-entry-returned")
    browser.cell(cells[3]).fill("45")
    page.click('[data-action="submit"]')
    page.wait_for_selector('.report-page[data-status="resubmitted"]')

    # The reviewer sees what changed since version 1 and accepts.
    browser.logout()
    browser.login("kiemduyet.hanoi")
    browser.go(f"/reports/{report.pk}/review/")
    expect(page.locator('tr[data-changed="true"]')).to_have_count(1)
    expect(page.locator('[data-verified="true"]')).to_have_count(2)
    browser.shot("07-review-v2")
    page.click('[data-action="accept"]')
    page.wait_for_selector('.report-page[data-status="accepted"]')
    browser.shot("08-review-accepted")
    with DB_LOCK:
        report.refresh_from_db()
    assert (report.status, report.version_count) == ("accepted", 2)
    assert browser.console_errors == []


def test_row_totals_and_the_excel_round_trip(browser: Browser, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from baocao.catalogue.choices import NUMERIC_VALUE_TYPES
    from baocao.catalogue.models import Indicator
    from baocao.submissions import excel, selectors
    from baocao.submissions.models import Report

    page = browser.page
    period = open_period().code
    browser.login("canbo.hanoi")
    browser.go(f"/reports/new/?regime=BC-KTXH-THANG&unit=01&period={period}")
    page.wait_for_selector("#entry-form")
    with DB_LOCK:
        report = Report.objects.get(regime__code="BC-KTXH-THANG", unit__code="01", period=period)
        layout = selectors.layout_of(report)

    # A section with a column per option shows a live total for each row.
    section = next(
        section for form in layout.forms for section in form.sections if section.show_total
    )
    first_row = section.rows[0]
    for cell, text in zip(first_row.cells, ["1.234", "100"], strict=False):
        browser.cell(*cell.key).fill(text)
    total = page.locator(f'tr[data-indicator="{first_row.indicator.code}"] [data-row-total]')
    expect(total.first).to_have_text("1.334")
    browser.shot("09-entry-row-total")
    page.click('[data-action="save"]')
    page.wait_for_selector(".alert--success")

    # Download the template, fill it as an officer would in Excel, upload it.
    with page.expect_download() as download:
        page.click('[data-action="excel-template"]')
    path = tmp_path / "mau.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    with DB_LOCK:
        numeric = set(
            Indicator.objects.filter(value_type__in=NUMERIC_VALUE_TYPES).values_list(
                "code", flat=True
            )
        )
    expected: dict[str, str] = {}
    for number, (kind, sheet, ref, code, disaggregation) in enumerate(
        book[excel.MAPPING_SHEET].iter_rows(values_only=True)
    ):
        if kind == "value" and code in numeric:
            book[sheet][ref] = 1000 + number
            expected[f"v|{code}|{disaggregation or ''}"] = f"{1000 + number:,}".replace(",", ".")
    book.save(path)
    page.click(".upload-box summary")
    page.set_input_files("#id_workbook", str(path))
    page.click(".upload-box__form button[type=submit]")
    page.wait_for_selector(".alert--success")
    for name, text in list(expected.items())[:5]:
        expect(page.locator(f'[name="{name}"]')).to_have_value(text)
    browser.shot("10-entry-after-excel")
    with DB_LOCK:
        stored = selectors.report_values(report)
    assert len(stored) == len(expected)
    assert browser.console_errors == []
