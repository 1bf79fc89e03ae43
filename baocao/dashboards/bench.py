"""The direction center's page benchmark (issue 7, scope 7).

"With the 100-million-value benchmark dataset loaded, each page's data arrives in under
300 ms (server side) and the page is usable in under 1.5 s in Chromium on this machine."

On the analytics benchmark's dataset (`baocao.analytics.bench`: national-scale values of
synthetic indicators on the real hierarchy), this module composes pages like the sample's
from the benchmark's 20 headline indicators (an overview of tiles in four groups with the
map and a ranking of provinces, the map page, a province page with its communes, an
indicator page) and measures, for each:

- server: the time to compute the page's figures (the `Server-Timing` the page reports),
  with the figures' cache emptied before each request ("cold": the first leader after a
  change) and kept ("warm": every leader after), p50 and p95;
- browser: from navigation start until every panel's chart is drawn, in Debian's Chromium
  through Playwright against a live server, cold, p50 and p95.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.test import Client

from baocao.analytics.bench.dataset import HEADLINE_CODES
from baocao.catalogue.choices import ChartKind, DashboardKind
from baocao.catalogue.models import (
    Dashboard,
    DashboardPanel,
    DashboardPanelIndicator,
    Indicator,
)
from baocao.organisations.choices import Level

PROVINCE = "01"  # Hà Nội: 126 communes since 1 July 2025
PERIOD = "202611"
PREFIX = "BENCH-"


def bench_pages_create() -> dict[str, str]:
    """The benchmark's pages (replacing earlier ones); returns name -> URL path."""
    Dashboard.objects.filter(code__startswith=PREFIX).delete()
    headline = list(HEADLINE_CODES)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=headline)}
    if len(indicators) < len(headline):
        raise ValueError("the benchmark's indicators are missing: run `baocao bench analytics`")
    overview = Dashboard.objects.create(
        code=f"{PREFIX}TQ", name="Tổng quan (đo thử)", kind=DashboardKind.NATIONAL, order=0
    )
    for group in range(4):
        _panel(overview, group, ChartKind.TILES, headline[group * 5 : group * 5 + 5])
    _panel(overview, 4, ChartKind.MAP, headline[:1], level=Level.PROVINCE, width=2)
    _panel(overview, 5, ChartKind.RANKING, headline[:1], level=Level.PROVINCE, width=1)
    map_page = Dashboard.objects.create(
        code=f"{PREFIX}BD", name="Bản đồ (đo thử)", kind=DashboardKind.NATIONAL, order=1
    )
    _panel(map_page, 0, ChartKind.MAP, headline[:1], level=Level.PROVINCE)
    province = Dashboard.objects.create(
        code=f"{PREFIX}TINH", name="Trang tỉnh (đo thử)", kind=DashboardKind.UNIT, order=0
    )
    _panel(province, 0, ChartKind.TILES, headline[:5])
    _panel(province, 1, ChartKind.TABLE, headline[:5], level=Level.COMMUNE, width=2)
    _panel(province, 2, ChartKind.RANKING, headline[:1], level=Level.COMMUNE, width=1)
    query = f"?period={PERIOD}"
    return {
        "overview": f"/direction/pages/{overview.code}/{query}",
        "map": f"/direction/pages/{map_page.code}/{query}",
        "province": f"/direction/units/{PROVINCE}/{query}",
        "indicator": f"/direction/indicators/{headline[0]}/{query}",
    }


def _panel(
    dashboard: Dashboard,
    order: int,
    chart: str,
    codes: list[str],
    *,
    level: str = "",
    width: int = 3,
) -> None:
    panel = DashboardPanel.objects.create(
        dashboard=dashboard,
        order=order,
        title=f"{chart} {order + 1}",
        chart=chart,
        level=level,
        width=width,
        periods=13,
    )
    for index, code in enumerate(codes):
        DashboardPanelIndicator.objects.create(
            panel=panel, indicator=Indicator.objects.get(code=code), order=index
        )


def _server_ms(client: Client, path: str) -> float:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    timing = response["Server-Timing"]  # "data;dur=12.3"
    return float(timing.split("dur=")[1])


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": round(p95, 1)}


def bench_pages(
    *,
    user: Any,
    repeat: int = 10,
    browser: bool = True,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Server and browser times of each benchmark page (module docstring)."""
    pages = bench_pages_create()
    client = Client(HTTP_HOST="localhost")  # a host the settings allow
    client.force_login(user)
    figures: dict[str, Any] = {"repeat": repeat, "pages": {}}
    for name, path in pages.items():
        progress(f"server: {name}")
        _server_ms(client, path)  # the store's connection and dimensions, once per process
        cold = []
        for _ in range(repeat):
            cache.clear()
            cold.append(_server_ms(client, path))
        warm = [_server_ms(client, path) for _ in range(repeat)]
        figures["pages"][name] = {
            "path": path,
            "server_cold": _summary(cold),
            "server_warm": _summary(warm),
        }
    if browser:
        progress("browser")
        for name, timing in _browser_times(pages, user=user, repeat=repeat).items():
            figures["pages"][name]["browser_cold"] = timing
    return figures


def _browser_times(pages: dict[str, str], *, user: Any, repeat: int) -> dict[str, Any]:
    """Time to usable in Chromium: navigation start until every chart panel is drawn."""
    import os

    from django.conf import settings
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    thread = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    base = f"http://127.0.0.1:{thread.port}"
    results: dict[str, Any] = {}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox"]
            )
            context = chromium.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}]
            )
            page = context.new_page()
            for name, path in pages.items():
                page.goto(base + path)  # assets into the browser's cache, as for a returning user
                samples = []
                for _ in range(repeat):
                    cache.clear()
                    started = time.perf_counter()
                    page.goto(base + path, wait_until="domcontentloaded")
                    page.wait_for_function(_DRAWN, timeout=30_000)
                    samples.append((time.perf_counter() - started) * 1000)
                results[name] = _summary(samples)
            chromium.close()
    finally:
        thread.terminate()
    return results


# Every chart panel has its Plotly graph and every map its provinces.
_DRAWN = """() => {
  const charts = document.querySelectorAll('.panel .chart');
  for (const chart of charts) {
    if (!chart.classList.contains('js-plotly-plot')) return false;
    if (chart.closest('.panel--map') && !chart.querySelector('path.choroplethlocation'))
      return false;
  }
  return document.readyState !== 'loading';
}"""
