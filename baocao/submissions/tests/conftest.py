"""Fixtures for reports: the sample catalogue, officers and reviewers of real units."""

from __future__ import annotations

import datetime as dt

import pytest

from baocao.periods import Period, period_of
from baocao.periods.types import PeriodType

# Phường Ba Đình (Hà Nội) reports BC-DVC-THANG to Thành phố Hà Nội (01) every month.
COMMUNE = "00004"
PROVINCE = "01"
REGIME = "BC-DVC-THANG"


@pytest.fixture(scope="package")
def _sample_catalogue_for_package(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The sample catalogue, loaded once for this package's tests and removed after them.

    Loading it takes about 1.7 s; once per test that was most of the suite's time. The
    catalogue's own tests expect an empty catalogue, hence the removal when the package is
    done (reports and values made by the tests were rolled back with each test). The audit
    records of the load stay (they are append-only): tests count the records they make.
    """
    from baocao.catalogue.models import (
        AlertRule,
        Dashboard,
        Dimension,
        Form,
        Indicator,
        IndicatorTarget,
        ReconciliationRule,
        Regime,
        Sector,
        ValidationRule,
    )
    from baocao.catalogue.services import SAMPLE_CATALOGUE, catalogue_load

    with django_db_blocker.unblock():
        summary = catalogue_load(path=SAMPLE_CATALOGUE, actor=None)
    yield summary
    with django_db_blocker.unblock():
        for model in (
            Dashboard,
            AlertRule,
            IndicatorTarget,
            ReconciliationRule,
            ValidationRule,
            Regime,
            Form,
            Indicator,
            Dimension,
            Sector,
        ):
            model.objects.all().delete()


@pytest.fixture
def sample_catalogue(_sample_catalogue_for_package, db):  # type: ignore[no-untyped-def]
    return _sample_catalogue_for_package


def make_user(username: str, unit_code: str, roles: list[str]):  # type: ignore[no-untyped-def]
    from baocao.accounts.services import user_create
    from baocao.organisations.models import Unit

    return user_create(
        username=username,
        password="mat-khau-dai-123",
        unit=Unit.objects.get(code=unit_code),
        roles=roles,
        first_name=username,
        actor=None,
    )


@pytest.fixture
def officer(sample_catalogue):  # type: ignore[no-untyped-def]
    from baocao.organisations.models import Unit
    from baocao.submissions.services import signing_key_create

    user = make_user("canbo-badinh", COMMUNE, ["reporter"])
    signing_key_create(unit=Unit.objects.get(code=COMMUNE), actor=None)
    return user


@pytest.fixture
def reviewer(sample_catalogue):  # type: ignore[no-untyped-def]
    return make_user("kiemduyet-hanoi", PROVINCE, ["reviewer"])


def open_period(today: dt.date | None = None) -> Period:
    """A monthly period whose deadline is still ahead: the month after today's."""
    return period_of(PeriodType.MONTH, today or dt.date.today()).next()


@pytest.fixture
def report(officer):  # type: ignore[no-untyped-def]
    from baocao.submissions.services import report_get_or_create

    return report_get_or_create(
        regime=REGIME, unit=COMMUNE, period=open_period().code, actor=officer
    )


# Dossier figures of a ward's month that pass the sample catalogue's validation rules
# (online ≤ received; resolved and in progress ≤ received plus last month's backlog).
PLAUSIBLE = {
    "HCC.HS_TIEP_NHAN": 120,
    "HCC.HS_TRUC_TUYEN": 80,
    "HCC.HS_GQ_DUNG_HAN": 100,
    "HCC.HS_GQ_QUA_HAN": 2,
    "HCC.HS_DANG_GQ_TRONG_HAN": 15,
    "HCC.HS_DANG_GQ_QUA_HAN": 0,
}


def plausible_value(indicator: str, number: int) -> int:
    """A value for a cell that the sample rules accept (other indicators: 10 + its number)."""
    return PLAUSIBLE.get(indicator, 10 + number)


def full_values(report):  # type: ignore[no-untyped-def]
    """A value for every cell of the report, as a person would type them."""
    from baocao.submissions.selectors import layout_of
    from baocao.submissions.services import ValueInput

    return [
        ValueInput(
            indicator=cell.key[0],
            disaggregation=cell.key[1],
            value=str(plausible_value(cell.key[0], number)),
        )
        for number, cell in enumerate(layout_of(report).cell_list())
    ]
