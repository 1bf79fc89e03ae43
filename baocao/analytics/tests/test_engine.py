"""Aggregation semantics, each with values checked by hand (issue 6, scope 2)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from baocao.analytics import selectors, services
from baocao.analytics.store import generation_current
from baocao.catalogue.models import Indicator
from baocao.core.errors import DomainError, Rejected
from baocao.organisations.models import Unit, UnitVersion
from baocao.submissions.choices import ValueSource
from baocao.submissions.errors import SubmissionDenied
from baocao.submissions.models import DataValue, DataValueHistory

pytestmark = pytest.mark.django_db

RECEIVED = "HCC.HS_TIEP_NHAN"  # dossiers received: a sum
FEED = "DVCQG"  # values stored without a report (a connector's)


def put(code, unit, period, value, *, disaggregation="", source=FEED):
    DataValue.objects.update_or_create(
        indicator=Indicator.objects.get(code=code),
        disaggregation=disaggregation,
        unit=Unit.objects.get(code=unit),
        period=period,
        source=source,
        defaults={
            "value": str(value),
            "channel": ValueSource.IMPORT,
            "updated_at": timezone.now(),
        },
    )


def query(indicators, periods, units=("01",), **options):
    result = selectors.analytics_query(
        indicators=list(indicators), periods=list(periods), units=list(units), **options
    )
    return {(row.indicator, row.unit, row.period, row.disaggregation): row for row in result.rows}


def value(rows, indicator, unit, period, disaggregation=""):
    row = rows.get((indicator, unit, period, disaggregation))
    return None if row is None else row.value


@pytest.fixture
def hanoi(sample_catalogue, store):
    # Two wards of Hà Nội and the city's own figure (a value entered at a parent counts with
    # its children's), for the three months of the fourth quarter.
    for period, ba_dinh, ngoc_ha, city in (
        ("202610", 100, 40, 5),
        ("202611", 110, 50, 6),
        ("202612", 120, 60, 7),
    ):
        put(RECEIVED, "00004", period, ba_dinh)
        put(RECEIVED, "00008", period, ngoc_ha)
        put(RECEIVED, "01", period, city)
    put(RECEIVED, "00004", "202511", 90)  # a year before
    services.analytics_rebuild()


def test_a_province_adds_up_its_communes_and_its_own_figure(hanoi):
    rows = query([RECEIVED], ["202611"], units=["01", "00004", "00008"])
    assert value(rows, RECEIVED, "01", "202611") == 110 + 50 + 6
    assert value(rows, RECEIVED, "00004", "202611") == 110
    assert rows[(RECEIVED, "01", "202611", "")].values == 3
    assert rows[(RECEIVED, "01", "202611", "")].unit_name == "Thành phố Hà Nội"
    # Provinces alone, and the whole country, take the columns placed when the store was
    # built instead of the ancestry join: the same answers.
    assert value(query([RECEIVED], ["202611"], units=["01", "79"]), RECEIVED, "01", "202611") == 166
    assert value(query([RECEIVED], ["202611"], units=["CP"]), RECEIVED, "CP", "202611") == 166


def test_a_sum_over_periods_adds_the_months_inside(hanoi):
    rows = query([RECEIVED], ["2026Q4", "2026S2", "2026", "20261101-20261231"])
    quarter = (100 + 40 + 5) + (110 + 50 + 6) + (120 + 60 + 7)
    assert value(rows, RECEIVED, "01", "2026Q4") == quarter
    assert value(rows, RECEIVED, "01", "2026S2") == quarter
    assert value(rows, RECEIVED, "01", "2026") == quarter
    assert value(rows, RECEIVED, "01", "20261101-20261231") == 166 + 187


def test_comparisons_with_the_previous_period_and_last_year(hanoi):
    rows = query([RECEIVED], ["202611"], units=["00004"], comparisons=["previous", "last_year"])
    row = rows[(RECEIVED, "00004", "202611", "")]
    assert (row.value, row.previous, row.last_year) == (110, 100, 90)
    assert row.growth_previous == pytest.approx(10.0)
    assert row.growth_last_year == pytest.approx(100 * 20 / 90)


def test_a_stock_is_the_last_value_of_the_period_summed_over_units(sample_catalogue, store):
    stock = "MTKD.DN_HOAT_DONG"  # enterprises in operation: aggregation "last"
    assert Indicator.objects.get(code=stock).aggregation == "last"
    for period, ba_dinh, ngoc_ha in (("202610", 500, 300), ("202611", 510, 305)):
        put(stock, "00004", period, ba_dinh)
        put(stock, "00008", period, ngoc_ha)
    put(stock, "00004", "202612", 520)  # Ngọc Hà has not reported December yet
    services.analytics_rebuild()
    rows = query([stock], ["2026Q4", "202611"])
    # Each ward's latest month in the quarter: Ba Đình December, Ngọc Hà November.
    assert value(rows, stock, "01", "2026Q4") == 520 + 305
    assert value(rows, stock, "01", "202611") == 510 + 305


def test_average_and_average_of_sums_over_units(sample_catalogue, store):
    averages = Indicator.objects.filter(aggregation="average_sum_units").first()
    assert averages is not None and not averages.formula
    for period, a, b in (("202610", 10, 20), ("202611", 30, 40), ("202612", 50, 60)):
        put(averages.code, "00004", period, a)
        put(averages.code, "00008", period, b)
    services.analytics_rebuild()
    rows = query([averages.code], ["2026Q4"])
    # Sum over units each month (30, 70, 110), then the average over the months.
    assert value(rows, averages.code, "01", "2026Q4") == pytest.approx(70)


def test_a_figure_reported_for_the_period_itself_is_used_as_reported(sample_catalogue, store):
    put(RECEIVED, "00004", "202610", 100)
    put(RECEIVED, "00004", "202611", 110)
    put(RECEIVED, "00004", "202612", 120)
    put(RECEIVED, "00004", "2026Q4", 333)  # a quarterly report of the same figure
    services.analytics_rebuild()
    rows = query([RECEIVED], ["2026Q4", "2026S2"], units=["00004"])
    assert value(rows, RECEIVED, "00004", "2026Q4") == 333
    assert value(rows, RECEIVED, "00004", "2026S2") == 330  # from the months, never both


def test_not_aggregated_indicators_only_answer_for_their_own_unit_and_period(
    sample_catalogue, store
):
    rate = Indicator.objects.filter(aggregation="none", formula="").first()
    assert rate is not None
    put(rate.code, "00004", "202611", 12.5)
    put(rate.code, "00008", "202611", 7.5)
    services.analytics_rebuild()
    rows = query([rate.code], ["202611", "2026Q4"], units=["00004", "01"])
    assert value(rows, rate.code, "00004", "202611") == 12.5
    assert value(rows, rate.code, "01", "202611") is None  # no sum of communes' rates
    assert value(rows, rate.code, "00004", "2026Q4") is None
    # The city's own rate is its answer, whatever its wards report (a national CPI is the
    # statistics office's figure, not a sum of the provinces').
    put(rate.code, "01", "202611", 9.25)
    assert value(query([rate.code], ["202611"], units=["01"]), rate.code, "01", "202611") == 9.25


def test_disaggregations_total_one_option_and_every_option(sample_catalogue, store):
    helped = "LDVL.GQVL"  # workers helped into employment, by SEX
    for unit, total, men, women in (("00004", 30, 18, 12), ("00008", 20, 9, 11)):
        put(helped, unit, "202611", total)
        put(helped, unit, "202611", men, disaggregation="SEX=NAM")
        put(helped, unit, "202611", women, disaggregation="SEX=NU")
    services.analytics_rebuild()
    assert value(query([helped], ["202611"]), helped, "01", "202611") == 50
    women = query([helped], ["202611"], disaggregation="SEX=NU")
    assert value(women, helped, "01", "202611", "SEX=NU") == 23
    every = query([helped], ["202611"], disaggregation="SEX=*")
    assert value(every, helped, "01", "202611", "SEX=NAM") == 27
    assert value(every, helped, "01", "202611", "SEX=NU") == 23
    assert (helped, "01", "202611", "") not in every


def test_derived_indicators_are_ratios_of_sums(sample_catalogue, store):
    rate = Indicator.objects.get(code="XH.TY_LE_HO_NGHEO")  # poor households / households * 100
    assert rate.formula
    put("XH.HO_NGHEO", "00004", "2026", 10)
    put("XH.TONG_SO_HO", "00004", "2026", 1000)  # 1 %
    put("XH.HO_NGHEO", "00008", "2026", 90)
    put("XH.TONG_SO_HO", "00008", "2026", 1000)  # 9 %
    services.analytics_rebuild()
    rows = query([rate.code], ["2026"], units=["01", "00004"])
    assert value(rows, rate.code, "01", "2026") == pytest.approx(5.0)  # 100 / 2000, not 10
    assert value(rows, rate.code, "00004", "2026") == pytest.approx(1.0)


def test_a_report_value_is_official_over_a_feed_and_a_source_can_be_chosen(hanoi):
    put(RECEIVED, "00004", "202611", 111, source="BC-DVC-THANG")
    services.analytics_rebuild()
    rows = query([RECEIVED], ["202611"], units=["00004"])
    assert value(rows, RECEIVED, "00004", "202611") == 111
    feed = query([RECEIVED], ["202611"], units=["00004"], source=FEED)
    assert value(feed, RECEIVED, "00004", "202611") == 110


# Structures -------------------------------------------------------------------------------------


def test_old_provinces_as_reported_or_on_todays_units(sample_catalogue, store):
    # Hà Giang (02) merged into Tuyên Quang (08) on 1 July 2025. A commune of one of Hà
    # Giang's old districts reported in January 2025, and Tuyên Quang itself.
    district = UnitVersion.objects.filter(parent__code="02").first().unit
    commune = UnitVersion.objects.filter(parent=district).first().unit
    put(RECEIVED, commune.code, "202501", 40)
    put(RECEIVED, "08", "202501", 7)
    services.analytics_rebuild()
    historical = query([RECEIVED], ["202501"], units=["02", "08", district.code])
    assert value(historical, RECEIVED, "02", "202501") == 40
    assert value(historical, RECEIVED, district.code, "202501") == 40
    assert value(historical, RECEIVED, "08", "202501") == 7
    assert not historical[(RECEIVED, "08", "202501", "")].remapped
    provinces = query([RECEIVED], ["202501"], units=["02", "08"])
    assert (
        value(provinces, RECEIVED, "02", "202501"),
        value(provinces, RECEIVED, "08", "202501"),
    ) == (40, 7)

    today = query([RECEIVED], ["202501"], units=["08"], structure="2026-12-01")
    row = today[(RECEIVED, "08", "202501", "")]
    assert row.value == 47
    assert row.remapped


# Live -----------------------------------------------------------------------------------------


def test_a_value_changed_after_the_build_is_in_the_next_answer(hanoi):
    generation = generation_current()
    put(RECEIVED, "00004", "202611", 150)
    rows = query([RECEIVED], ["202611"], units=["01"])
    assert value(rows, RECEIVED, "01", "202611") == 150 + 50 + 6
    # Deleted: its history says so, and the figure drops out.
    stored = DataValue.objects.get(unit__code="00008", period="202611", indicator__code=RECEIVED)
    DataValueHistory.objects.create(
        indicator=stored.indicator,
        disaggregation="",
        unit=stored.unit,
        period=stored.period,
        source=stored.source,
        value=stored.value,
        deleted=True,
        changed_at=timezone.now(),
        channel=ValueSource.IMPORT,
    )
    stored.delete()
    rows = query([RECEIVED], ["202611"], units=["01"])
    assert value(rows, RECEIVED, "01", "202611") == 150 + 6
    assert generation_current() == generation  # no rebuild was needed

    compacted = services.analytics_compact()
    assert compacted.number == generation.number + 1
    result = selectors.analytics_query(indicators=[RECEIVED], periods=["202611"], units=["01"])
    assert result.rows[0].value == 156
    assert result.generation == compacted.number


def test_a_submitted_report_is_provisional_until_accepted(report, officer, reviewer, store):
    from baocao.submissions import services as reports
    from baocao.submissions.tests.conftest import full_values

    reports.report_save(report=report, values=full_values(report), actor=officer)
    services.analytics_rebuild()
    period = report.period
    # A draft does not count.
    assert query([RECEIVED], [period], units=["00004"]) == {}
    reports.report_submit(report=report, actor=officer)
    row = query([RECEIVED], [period], units=["00004"])[(RECEIVED, "00004", period, "")]
    assert (row.value, row.provisional) == (120, True)
    reports.report_accept(report=report, actor=reviewer)
    row = query([RECEIVED], [period], units=["00004"])[(RECEIVED, "00004", period, "")]
    assert (row.value, row.provisional) == (120, False)


# Bad input ------------------------------------------------------------------------------------


def test_unknown_codes_bad_periods_and_options_are_refused_by_name(hanoi):
    with pytest.raises(Rejected) as refused:
        selectors.analytics_query(
            indicators=["KHONG.CO"],
            periods=["2026M13"],
            units=["99999"],
            disaggregation="sex=nu",
            structure="hôm qua",
        )
    fields = {problem.field for problem in refused.value.problems}
    assert fields == {"indicators", "periods[0]", "units", "disaggregation", "structure"}


def test_a_user_sees_only_the_units_of_their_scope(hanoi, officer):
    # Phường Ba Đình's officer may ask about Ba Đình, not about the city.
    assert query([RECEIVED], ["202611"], units=["00004"], user=officer)
    with pytest.raises(SubmissionDenied):
        query([RECEIVED], ["202611"], units=["01"], user=officer)


def test_a_query_too_large_is_refused_before_it_runs(hanoi, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_CELLS", 100)
    with pytest.raises(DomainError) as refused:
        # Every ward and commune of Hà Nội for two months: more than 100 values.
        selectors.analytics_query(
            indicators=[RECEIVED], periods=["202611", "202612"], children_of="01"
        )
    assert refused.value.code == "too_large"


def test_a_total_adds_up_the_options_when_only_options_are_stored(sample_catalogue, store):
    # A form whose columns are a dimension (exports by ownership) stores only the options;
    # an indicator stored with its total keeps using it, options or not.
    exports = "ODVM.XK"
    for option, amount in (("NHA_NUOC", 10), ("NGOAI_NN", 25), ("FDI", 65)):
        put(exports, "01", "202611", amount, disaggregation=f"OWNERSHIP={option}")
    put(exports, "79", "202611", 300)  # Hồ Chí Minh City reports the total
    put(exports, "79", "202611", 200, disaggregation="OWNERSHIP=FDI")
    services.analytics_rebuild()
    rows = query([exports], ["202611"], units=["01", "79"])
    assert value(rows, exports, "01", "202611") == 100
    assert value(rows, exports, "79", "202611") == 300
    assert (
        value(
            query([exports], ["202611"], units=["01"], disaggregation="OWNERSHIP=FDI"),
            exports,
            "01",
            "202611",
            "OWNERSHIP=FDI",
        )
        == 65
    )
    # A value changed since the build is read live, the total still the sum of the options.
    put(exports, "01", "202611", 30, disaggregation="OWNERSHIP=NGOAI_NN")
    assert value(query([exports], ["202611"], units=["01"]), exports, "01", "202611") == 105


def test_a_value_of_a_period_the_store_has_never_seen_is_read_live_and_kept(
    sample_catalogue, store
):
    # The store was built before any value of December (or of a month long past) existed:
    # the first ones must count at once, and a compaction must keep them.
    put(RECEIVED, "00004", "202611", 110)
    services.analytics_rebuild()
    put(RECEIVED, "00004", "202612", 120)
    put(RECEIVED, "02", "202406", 70)  # Hà Giang, before its merger into Tuyên Quang
    assert value(query([RECEIVED], ["202612"]), RECEIVED, "01", "202612") == 120
    rows = query([RECEIVED], ["202406"], units=["02"])
    assert value(rows, RECEIVED, "02", "202406") == 70
    services.analytics_compact()
    assert value(query([RECEIVED], ["2026Q4"]), RECEIVED, "01", "2026Q4") == 230
    assert value(query([RECEIVED], ["202406"], units=["02"]), RECEIVED, "02", "202406") == 70
