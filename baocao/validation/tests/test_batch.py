"""Batch validation (issue 5, scopes 3 and 7): the same verdicts as the scalar engine, fast."""

from __future__ import annotations

import json
import random
from collections import Counter
from decimal import Decimal, InvalidOperation

import pytest
from django.core.management import call_command
from django.utils import timezone

from baocao.catalogue.expressions import rule_evaluate
from baocao.catalogue.models import Indicator, IndicatorDimension, ValidationRule
from baocao.organisations.models import Unit
from baocao.periods import parse_period
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue
from baocao.validation.batch import STATUSES, batch_validate
from baocao.validation.engine import _lookup, _parse

pytestmark = pytest.mark.django_db

SOURCE, OTHER_SOURCE = "BC-THU", "KET-NOI"
MONTHS = [f"{year}{month:02d}" for year in (2024, 2025) for month in range(1, 13)]
YEARS = ["2024", "2025"]

# Hand-written rules: every operator, pairs, shifts, `DIM=*`, divisions by zero, rounding.
EXTRA_RULES = [
    ("QT.THU.KHAC", "#{TCC.THU_NSNN}", "!=", "#{TCC.CHI_NS}", "skip_if_all_missing", ""),
    ("QT.THU.NHO_HON", "#{TCC.THU_NOI_DIA}", "<", "#{TCC.THU_NSNN}", "never_skip", ""),
    ("QT.THU.LON_HON", "#{TCC.CHI_DTPT}", ">", "0", "skip_if_any_missing", ""),
    ("QT.THU.NUA", "#{TCC.CHI_TX}", ">=", "#{TCC.CHI_DTPT} / 2", "skip_if_all_missing", ""),
    ("QT.THU.TY_LE", "#{TCC.DTC_GN} / #{TCC.DTC_KH} * 100", "<=", "100", "never_skip", ""),
    ("QT.THU.LOAI_TRU", "#{ODVM.CAN_CAN_TM}", "exclusive_pair", "#{ODVM.DU_NO_TD}", "", ""),
    (
        "QT.THU.CAP_CHIA",
        "#{TCC.DTC_GN} / #{TCC.DTC_KH}",
        "compulsory_pair",
        "#{TCC.DTC_TL_GN}",
        "",
        "",
    ),
    (
        "QT.THU.BIEN_DONG",
        "abs(#{TTKT.BAN_LE} - previous(#{TTKT.BAN_LE}))",
        "<=",
        "max(100, 0.5 * last_year(#{TTKT.BAN_LE}))",
        "skip_if_all_missing",
        "",
    ),
    (
        "QT.THU.HAI_CHIEU",
        "sum(#{LDVL.LLLD|SEX=*}, -#{LDVL.LLLD|URBAN_RURAL=*})",
        "==",
        "0",
        "never_skip",
        "",
    ),
    (
        "QT.THU.NHO_NHAT",
        "min(#{ODVM.XK|OWNERSHIP=NHA_NUOC}, #{ODVM.NK|OWNERSHIP=*})",
        "<=",
        "-(-#{ODVM.XK})",
        "never_skip",
        "",
    ),
    ("QT.THU.LAM_TRON", "#{TTKT.IIP} / 3 * 3", "==", "#{TTKT.IIP}", "skip_if_all_missing", ""),
    (
        "QT.THU.THAP_PHAN",
        "#{ODVM.CPI_T12} + 0.1",
        "==",
        "#{ODVM.CPI_CK} + 0.2 - 0.1",
        "never_skip",
        "",
    ),
    ("QT.THU.QUY", "#{TCC.THU_NSNN}", ">=", "0", "skip_if_all_missing", "quarter"),
]


def make_rule(code, left, operator, right, missing="skip_if_all_missing", period_type=""):
    return ValidationRule.objects.create(
        code=code,
        name=code,
        left=left,
        operator=operator,
        right=right,
        missing_values=missing or "skip_if_all_missing",
        period_type=period_type,
        message="%(left)s / %(right)s",
    )


def cited(rules):
    codes = set()
    for rule in rules:
        for side in (rule.left, rule.right):
            codes.update(reference.indicator for reference in _parse(side).references)
    return codes


def generate_values(codes, units, periods, *, seed=5, source=SOURCE):
    """Values of these indicators: totals, each option, a few two-dimension cells; some
    missing, some zero (denominators), some decimal, and parts that do not always add up."""
    chooser = random.Random(seed)
    now = timezone.now()
    dimensions: dict[str, list[tuple[str, list[str]]]] = {}
    links = IndicatorDimension.objects.filter(indicator__code__in=codes).select_related(
        "indicator", "dimension"
    )
    for link in links.order_by("indicator__code", "order"):
        options = [option.code for option in link.dimension.options.all()]
        dimensions.setdefault(link.indicator.code, []).append((link.dimension.code, options))
    indicators = dict(Indicator.objects.filter(code__in=codes).values_list("code", "pk"))
    rows = []
    for unit in units:
        for period in periods:
            for code in sorted(codes):
                keys = [""]
                for dimension, options in dimensions.get(code, []):
                    keys += [f"{dimension}={option}" for option in options]
                if len(dimensions.get(code, [])) > 1:
                    (first, first_options), (second, second_options) = dimensions[code][:2]
                    keys.append(f"{first}={first_options[0]},{second}={second_options[0]}")
                texts: dict[str, str] = {}
                for key in reversed(keys):  # parts first, then the total
                    draw = chooser.random()
                    parts = [
                        texts.get(f"{dimension}={option}")
                        for dimension, options in dimensions.get(code, [])[:1]
                        for option in options
                    ]
                    if key == "" and parts and None not in parts and draw < 0.6:
                        # Most totals are the sum of their parts (in Decimal, as entered).
                        texts[key] = str(sum((Decimal(part) for part in parts), Decimal(0)))
                        continue
                    if draw < 0.15:
                        continue  # missing
                    if draw < 0.25:
                        text = "0"
                    elif draw < 0.35:
                        text = f"{chooser.randint(0, 999)}.{chooser.randint(1, 9)}"
                    elif draw < 0.40:
                        text = chooser.choice(["0.1", "0.2", "0.3", "1.0000005"])
                    else:
                        text = str(chooser.randint(1, 1000) * (10 if key == "" else 1))
                    texts[key] = text
                rows.extend(
                    DataValue(
                        indicator_id=indicators[code],
                        disaggregation=key,
                        unit=unit,
                        period=period,
                        source=source,
                        value=text,
                        channel=ValueSource.IMPORT,
                        updated_at=now,
                    )
                    for key, text in texts.items()
                )
    DataValue.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def scalar_statuses(rules, periods, unit_ids=None, source=None):
    """Every (rule, unit, period, source) status through `rule_evaluate`, with the values map
    built the way `baocao.validation.engine` builds it for a report."""
    numeric = set(
        Indicator.objects.filter(value_type__in=["number", "integer", "percentage"]).values_list(
            "code", flat=True
        )
    )
    stored: dict[tuple[int, str, str], dict[tuple[str, str], Decimal]] = {}
    present: dict[tuple[int, str, str], set[str]] = {}
    values = DataValue.objects.values_list(
        "unit_id", "period", "source", "indicator__code", "disaggregation", "value"
    )
    for unit_id, period, value_source, code, disaggregation, text in values:
        if unit_ids is not None and unit_id not in unit_ids:
            continue
        if source is not None and value_source != source:
            continue
        key = (unit_id, period, value_source)
        present.setdefault(key, set()).add(code)
        if code in numeric:
            try:
                stored.setdefault(key, {})[(code, disaggregation)] = Decimal(text)
            except InvalidOperation:
                continue
    levels = dict(Unit.objects.values_list("pk", "level"))
    statuses = {}
    for rule in rules:
        left, right = _parse(rule.left), _parse(rule.right)
        references = left.references + right.references
        indicators = {reference.indicator for reference in references}
        for (unit_id, period, value_source), codes in present.items():
            if period not in periods or not indicators & codes:
                continue
            parsed = parse_period(period)
            if rule.period_type and rule.period_type != parsed.type:
                continue
            if rule.unit_levels and levels[unit_id] not in rule.unit_levels:
                continue
            by_shift = {
                "": stored.get((unit_id, period, value_source), {}),
                "previous": stored.get((unit_id, parsed.previous().code, value_source), {}),
                "last_year": stored.get(
                    (unit_id, parsed.same_period_last_year().code, value_source), {}
                ),
            }
            cited_values = {
                reference.key: _lookup(
                    by_shift[reference.shift], reference.indicator, reference.disaggregation
                )
                for reference in references
            }
            outcome = rule_evaluate(
                left, rule.operator, right, cited_values, missing=rule.missing_values
            )
            statuses[(rule.code, unit_id, period, value_source)] = outcome
    return statuses


def batch_statuses(result):
    return {
        (item.rule, item.unit_id, item.period, item.source): item.status
        for item in result.violations
    }


@pytest.fixture
def dataset(sample_catalogue):
    """The sample's 27 rules and the hand-written ones, over 10 communes and Hà Nội for 24
    months and 2 years, with a second source for two communes."""
    for row in EXTRA_RULES:
        make_rule(*row)
    rules = list(ValidationRule.objects.order_by("code"))
    communes = list(Unit.objects.filter(level="commune").order_by("code")[:10])
    province = Unit.objects.get(code="01")
    codes = cited(rules)
    generate_values(codes, [*communes, province], MONTHS + YEARS)
    generate_values(codes, communes[:2], MONTHS[:6], seed=7, source=OTHER_SOURCE)
    return rules, communes, province


def assert_same_as_scalar(result, rules, periods, unit_ids=None, source=None):
    expected = scalar_statuses(rules, periods, unit_ids=unit_ids, source=source)
    wrong = {
        key: outcome.status
        for key, outcome in expected.items()
        if outcome.status in ("violated", "not_evaluable")
    }
    assert batch_statuses(result) == wrong
    for rule in rules:
        counts = Counter(outcome.status for key, outcome in expected.items() if key[0] == rule.code)
        assert result.per_rule[rule.code] == {status: counts[status] for status in STATUSES}, (
            rule.code
        )
    return expected


def test_every_status_equals_the_scalar_engine(dataset):
    rules, _, _ = dataset
    assert len(rules) == 27 + len(EXTRA_RULES)
    result = batch_validate(rules=rules, periods=MONTHS + YEARS, max_violations=10**9)
    expected = assert_same_as_scalar(result, rules, set(MONTHS + YEARS))
    totals = Counter(outcome.status for outcome in expected.values())
    # The data exercise every status, and the rules the engine's harder paths.
    assert all(totals[status] > 20 for status in STATUSES), totals
    assert result.per_rule["QT.THU.TY_LE"]["not_evaluable"] > 0  # zero denominators
    assert result.per_rule["QT.THU.CAP_CHIA"]["not_evaluable"] > 0
    assert result.per_rule["QT.THU.QUY"] == dict.fromkeys(STATUSES, 0)  # no quarter here
    assert sum(result.per_rule["QT.XH.HO_NGHEO"].values()) > 0  # yearly, province only
    # Left and right as the scalar engine rounds them, for the violations.
    for item in result.violations:
        outcome = expected[(item.rule, item.unit_id, item.period, item.source)]
        for mine, theirs in ((item.left, outcome.left), (item.right, outcome.right)):
            assert (mine is None) == (theirs is None)
            if mine is not None:
                assert mine == pytest.approx(float(theirs), rel=1e-12, abs=1e-9)


def test_counts_are_exact(dataset):
    rules, _, _ = dataset
    result = batch_validate(rules=rules, periods=MONTHS + YEARS, max_violations=10**9)
    assert result.rules == len(rules)
    assert result.units == 11
    assert result.periods == 26
    assert result.evaluated == sum(sum(counts.values()) for counts in result.per_rule.values())
    for status in STATUSES:
        assert getattr(result, status) == sum(c[status] for c in result.per_rule.values())
    assert result.violated + result.not_evaluable == len(result.violations)
    # Every stored value of a cited indicator in those periods and the shifted ones.
    loaded = set(MONTHS + YEARS) | {"202312", "2023", *[f"2023{m:02d}" for m in range(1, 13)]}
    assert (
        result.values_read
        == DataValue.objects.filter(indicator__code__in=cited(rules), period__in=loaded).count()
    )
    assert result.seconds > 0


def test_a_small_case_counted_by_hand(sample_catalogue):
    ValidationRule.objects.all().delete()
    rule = make_rule("QT.TAY", "#{TCC.DTC_GN}", "<=", "#{TCC.DTC_KH}", "skip_if_any_missing")
    ratio = make_rule("QT.TAY.TY_LE", "#{TCC.DTC_GN} / #{TCC.DTC_KH}", "<", "1", "never_skip")
    one, two, three, four = Unit.objects.filter(level="commune").order_by("code")[:4]
    spent, planned = (Indicator.objects.get(code=code) for code in ("TCC.DTC_GN", "TCC.DTC_KH"))
    now = timezone.now()
    data = [
        (one, spent, "50"),
        (one, planned, "100"),  # passes both
        (two, spent, "120.5"),
        (two, planned, "100"),  # violates both
        (three, spent, "7"),  # planned missing: skipped, and 7 / 0 not evaluable
        (four, planned, "0"),  # 0 <= ... skipped (spent missing); 0 / 0 not evaluable
    ]
    DataValue.objects.bulk_create(
        DataValue(
            indicator=indicator,
            disaggregation="",
            unit=unit,
            period="202611",
            source=SOURCE,
            value=text,
            channel=ValueSource.WEB,
            updated_at=now,
        )
        for unit, indicator, text in data
    )
    result = batch_validate(rules=[rule, ratio], periods=["202611"])
    assert result.per_rule == {
        "QT.TAY": {"passed": 1, "violated": 1, "skipped": 2, "not_evaluable": 0},
        "QT.TAY.TY_LE": {"passed": 1, "violated": 1, "skipped": 0, "not_evaluable": 2},
    }
    assert (result.values_read, result.units, result.periods, result.evaluated) == (6, 4, 1, 8)
    # Rule by rule, and by unit within a rule.
    assert [
        (item.rule, item.unit_id, item.left, item.right, item.status) for item in result.violations
    ] == [
        ("QT.TAY", two.pk, 120.5, 100.0, "violated"),
        *sorted(
            [
                ("QT.TAY.TY_LE", two.pk, 1.205, 1.0, "violated"),
                ("QT.TAY.TY_LE", three.pk, None, 1.0, "not_evaluable"),
                ("QT.TAY.TY_LE", four.pk, None, 1.0, "not_evaluable"),
            ],
            key=lambda item: item[1],
        ),
    ]


def test_progress_is_reported_rule_by_rule(dataset):
    rules, _, _ = dataset
    calls = []
    batch_validate(
        rules=rules, periods=MONTHS[:3], progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(done, len(rules)) for done in range(1, len(rules) + 1)]


def test_units_periods_and_source_select_what_is_judged(dataset):
    rules, communes, _ = dataset
    chosen = {communes[0].pk, communes[1].pk}
    periods = MONTHS[3:9]
    result = batch_validate(
        rules=rules, periods=periods, unit_ids=chosen, source=SOURCE, max_violations=10**9
    )
    assert {item.unit_id for item in result.violations} <= chosen
    assert {item.period for item in result.violations} <= set(periods)
    assert {item.source for item in result.violations} == {SOURCE}
    assert (result.units, result.periods) == (2, 6)
    assert_same_as_scalar(result, rules, set(periods), unit_ids=chosen, source=SOURCE)
    # The other source is judged on its own values, never mixed with the first.
    other = batch_validate(rules=rules, periods=periods, source=OTHER_SOURCE)
    assert {item.source for item in other.violations} == {OTHER_SOURCE}
    assert_same_as_scalar(other, rules, set(periods), source=OTHER_SOURCE)
    # No unit at all, an unknown period, a period code that is not one.
    nothing = batch_validate(rules=rules, periods=periods, unit_ids=[])
    assert (nothing.evaluated, nothing.values_read, nothing.units) == (0, 0, 0)
    assert batch_validate(rules=rules, periods=["203001"]).evaluated == 0
    with pytest.raises(ValueError, match=r"periods\[1\]: '2026-13'"):
        batch_validate(rules=rules, periods=["202601", "2026-13"])


def test_max_violations_caps_the_list_not_the_counts(dataset):
    rules, _, _ = dataset
    full = batch_validate(rules=rules, periods=MONTHS, max_violations=10**9)
    capped = batch_validate(rules=rules, periods=MONTHS, max_violations=25)
    assert full.violated + full.not_evaluable > 25
    assert capped.violations == full.violations[:25]
    assert capped.per_rule == full.per_rule
    assert (capped.violated, capped.not_evaluable) == (full.violated, full.not_evaluable)


def test_the_benchmark_command_runs_at_a_tiny_size(sample_catalogue, capsys):
    call_command("bench_validation", values=20000, rules=20)
    figures = json.loads(capsys.readouterr().out)
    assert figures["values"] == 20000
    assert figures["rules"] == 20
    assert 0 < figures["values_read"] <= 20000  # only the cited indicators are read
    assert figures["evaluated"] > 0
    assert figures["violated"] > 0
    assert figures["peak_memory_mb"] > 0
