"""The catalogue's web pages and the reporting calendar, as a signed-in officer sees them."""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from baocao.catalogue import selectors
from baocao.core.numbers import format_number

FIXTURE = Path(__file__).parent / "fixtures" / "small.yaml"
PASSWORD = "mat-khau-dai-123"


@pytest.fixture
def catalogue(db):
    from baocao.catalogue.services import catalogue_load

    return catalogue_load(path=FIXTURE, actor=None)


@pytest.fixture
def commune_user(db):
    from baocao.accounts.services import user_create
    from baocao.organisations.models import Unit

    # Phường Ba Đình, a ward of Hà Nội (01) since 1 July 2025.
    return user_create(
        username="can-bo-ba-dinh",
        password=PASSWORD,
        unit=Unit.objects.get(code="00004"),
        roles=["reporter"],
        actor=None,
    )


def _client(user, language="en"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response):
    return html.unescape(response.content.decode())


def _rows(page, table_class):
    table = re.search(rf'<table class="table {table_class}">(.*?)</table>', page, re.S)
    assert table, f"no table {table_class}"
    body = table.group(1).split("<tbody>", 1)[1]
    return re.findall(r"<tr[ >].*?</tr>", body, re.S)


# Access -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/calendar/",
        "/catalogue/indicators/",
        "/catalogue/indicators/KT.GRDP/",
        "/catalogue/forms/",
        "/catalogue/forms/F-LD/",
        "/catalogue/regimes/",
        "/catalogue/regimes/R-THANG/",
    ],
)
def test_pages_ask_anonymous_visitors_to_log_in(catalogue, url):
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.django_db
def test_root_leads_to_the_calendar():
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:calendar")


@pytest.mark.django_db
def test_logging_in_opens_the_calendar_and_logging_out_needs_a_post(user):
    client = Client()
    assert client.get("/login/").status_code == 200

    response = client.post("/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:calendar")
    page = _text(client.get("/calendar/"))
    assert "Thành phố Hà Nội" in page  # the header shows the user's unit
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/calendar/").status_code == 302


@pytest.mark.django_db
def test_administration_link_is_shown_to_staff_only(user, catalogue):
    assert "/admin/" not in _text(_client(user).get("/catalogue/regimes/"))
    user.is_staff = True
    user.save()
    assert 'href="/admin/"' in _text(_client(user).get("/catalogue/regimes/"))


# Indicators -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_indicators_are_filtered_by_sector(user, catalogue):
    page = _text(_client(user).get("/catalogue/indicators/", {"sector": "TTKT"}))

    assert "KT.GRDP" in page
    assert "LD.LLLD" not in page


@pytest.mark.django_db
def test_indicators_are_searched_by_code_or_name(user, catalogue):
    page = _text(_client(user).get("/catalogue/indicators/", {"q": "THAT_NGHIEP"}))

    assert "LD.THAT_NGHIEP" in page
    assert "LD.TL_THAT_NGHIEP" in page
    assert "KT.GRDP" not in page
    # The derived rate shows its badge and formula.
    assert "Derived" in page
    assert "#{LD.THAT_NGHIEP} / #{LD.LLLD} * 100" in page


@pytest.mark.django_db
def test_indicator_page_lists_dimension_options_and_forms(user, catalogue):
    page = _text(_client(user).get("/catalogue/indicators/LD.LLLD/"))

    assert "Giới tính" in page
    assert "Nam" in page and "Nữ" in page
    assert reverse("catalogue:form-detail", args=["F-LD"]) in page


@pytest.mark.django_db
def test_unknown_indicator_is_a_404_with_a_message(user, catalogue):
    response = _client(user).get("/catalogue/indicators/NOPE/")

    assert response.status_code == 404
    assert "NOPE" in _text(response)


# Forms ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_form_preview_shows_sections_as_disabled_tables(user, catalogue):
    page = _text(_client(user).get("/catalogue/forms/F-LD/"))

    first_row = _rows(page, "table--form")[0]
    economy_section = page.split("Kinh tế", 1)[1]
    preview = page.split('<div class="form-preview">', 1)[1]
    # Section A spreads sex across columns and adds a total; section B has one value column.
    assert re.search(r">Nam</th>\s*<th[^>]*>Nữ</th>\s*<th[^>]*>Total</th>", page)
    assert first_row.count("<input") == 3
    assert "GRDP (giá hiện hành)" in economy_section
    assert ">Value</th>" in economy_section
    assert "tỷ đồng" in economy_section
    fields = re.findall(r"<(?:input|textarea)[^>]*>", preview)
    assert len(fields) == 2 * 3 + 1 + 1  # two sex rows, one GRDP row, one narrative field
    assert all(" disabled" in field for field in fields)
    assert "Đánh giá chung" in page


@pytest.mark.django_db
def test_form_list_links_every_form(user, catalogue):
    page = _text(_client(user).get("/catalogue/forms/"))

    assert reverse("catalogue:form-detail", args=["F-LD"]) in page


# Regimes ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_regime_list_shows_kind_and_frequency(user, catalogue):
    page = _text(_client(user).get("/catalogue/regimes/"))

    assert "R-THANG" in page and "R-BO" in page
    assert "Month" in page and "Quarter" in page


@pytest.mark.django_db
def test_regime_page_shows_the_year_of_monthly_periods(user, catalogue):
    page = _text(_client(user).get("/catalogue/regimes/R-THANG/", {"year": "2026"}))

    rows = _rows(page, "table--periods")
    assert len(rows) == 12
    november = next(row for row in rows if "202611" in row)
    # Decree 09/2019 Art. 12: the month's data run from the 15th of the month before to the 14th.
    assert "15/10/2026" in november
    assert "14/11/2026" in november
    assert "?year=2025" in page and "?year=2027" in page
    assert "Nghị định 09/2019/NĐ-CP, Điều 12" in page


@pytest.mark.django_db
def test_regime_page_counts_reporting_units_in_vietnamese_format(user, catalogue):
    regime = selectors.regime_get(code="R-THANG")
    november = next(
        item
        for item in selectors.regime_periods(
            regime=regime, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )
        if item.period.code == "202611"
    )
    communes = november.deadlines[0]
    expected = len(selectors.step_reporter_ids(step=communes.step, on=communes.deadline))
    assert expected > 1000  # every commune of the country

    page = _text(_client(user, "vi").get("/catalogue/regimes/R-THANG/", {"year": "2026"}))

    row = next(row for row in _rows(page, "table--periods") if "202611" in row)
    assert format_number(expected, language="vi") in row
    assert "." in format_number(expected, language="vi")


@pytest.mark.django_db
def test_regime_page_rejects_a_bad_year(user, catalogue):
    response = _client(user).get("/catalogue/regimes/R-THANG/", {"year": "20x6"})

    assert response.status_code == 400
    assert "20x6" in _text(response)


@pytest.mark.django_db
def test_unknown_regime_is_a_404(user, catalogue):
    assert _client(user).get("/catalogue/regimes/NOPE/").status_code == 404


# Calendar ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_lists_the_communes_monthly_reports_sent_to_the_province(commune_user, catalogue):
    response = _client(commune_user).get("/calendar/", {"from": "01/10/2026", "to": "2026-12-31"})

    assert response.status_code == 200
    page = _text(response)
    rows = _rows(page, "table--calendar")
    expected = selectors.expected_reports(
        unit=commune_user.unit, start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    assert [report.step.name for report in expected] == ["Xã gửi tỉnh"] * 3
    assert len(rows) == 3
    for row, report in zip(rows, expected, strict=True):
        assert report.deadline.strftime("%d/%m/%Y") in row
        assert "R-THANG" in row
        assert "Xã gửi tỉnh" in row
        assert "Thành phố Hà Nội" in row  # the receiver: province 01
    assert "Tỉnh gửi Chính phủ" not in page


@pytest.mark.django_db
def test_calendar_status_compares_the_deadline_with_today(commune_user, catalogue, monkeypatch):
    from baocao.organisations import selectors as org_selectors

    monkeypatch.setattr(org_selectors, "today", lambda: dt.date(2026, 11, 14))
    page = _text(
        _client(commune_user).get("/calendar/", {"from": "01/10/2026", "to": "31/12/2026"})
    )

    rows = _rows(page, "table--calendar")
    assert ["Past deadline" in rows[0], "Due soon" in rows[1], "Not yet due" in rows[2]] == [
        True,
        True,
        True,
    ]


@pytest.mark.django_db
def test_calendar_default_range_runs_from_a_week_ago(commune_user, catalogue):
    from baocao.organisations import selectors as org_selectors

    today = org_selectors.today()
    page = _text(_client(commune_user).get("/calendar/"))

    assert f'value="{(today - dt.timedelta(days=7)).strftime("%d/%m/%Y")}"' in page
    assert f'value="{(today + dt.timedelta(days=60)).strftime("%d/%m/%Y")}"' in page


@pytest.mark.django_db
def test_bad_from_date_is_a_400_naming_the_field_in_vietnamese(commune_user, catalogue):
    response = _client(commune_user, "vi").get("/calendar/", {"from": "31/02/2026"})

    assert response.status_code == 400
    page = _text(response)
    assert 'Trường "Từ ngày"' in page
    assert "31/02/2026" in page
    # The filter keeps what was typed, so that it can be corrected.
    assert 'value="31/02/2026"' in page


@pytest.mark.django_db
def test_range_ending_before_it_starts_is_a_400(commune_user, catalogue):
    response = _client(commune_user).get("/calendar/", {"from": "01/12/2026", "to": "01/11/2026"})

    assert response.status_code == 400
    assert '"To date"' in _text(response)


@pytest.mark.django_db
def test_too_long_a_range_is_a_400(commune_user, catalogue):
    response = _client(commune_user).get("/calendar/", {"from": "01/01/2020", "to": "31/12/2030"})

    assert response.status_code == 400


@pytest.mark.django_db
def test_unit_outside_the_users_scope_is_a_403(commune_user, catalogue):
    response = _client(commune_user).get("/calendar/", {"unit": "01"})

    assert response.status_code == 403
    assert "01" in _text(response)


@pytest.mark.django_db
def test_province_user_may_look_at_a_commune_below_it(user, catalogue):
    response = _client(user).get(
        "/calendar/", {"unit": "00004", "from": "01/10/2026", "to": "31/12/2026"}
    )

    assert response.status_code == 200
    page = _text(response)
    assert "Phường Ba Đình" in page
    assert len(_rows(page, "table--calendar")) == 3
    assert 'name="unit"' in page


@pytest.mark.django_db
def test_commune_user_gets_no_unit_picker(commune_user, catalogue):
    assert 'name="unit"' not in _text(_client(commune_user).get("/calendar/"))


@pytest.mark.django_db
def test_user_without_a_unit_is_told_so(catalogue):
    from baocao.accounts.services import user_create

    nobody = user_create(username="khong-don-vi", password=PASSWORD, unit=None, actor=None)
    response = _client(nobody).get("/calendar/")

    assert response.status_code == 200
    assert "not attached to a unit" in _text(response)
