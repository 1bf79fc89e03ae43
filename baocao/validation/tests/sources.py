"""Values of one figure from two sources, and the people who follow discrepancies up."""

from __future__ import annotations

from django.utils import timezone

from baocao.accounts.services import user_create
from baocao.catalogue.models import Indicator, ReconciliationRule
from baocao.organisations.models import Unit
from baocao.submissions.choices import ValueSource
from baocao.submissions.models import DataValue

PERIOD = "202611"
REPORT = "BC-DVC-THANG"  # the ward's monthly report on public services
PORTAL = "DVCQG"  # dossier statistics synchronised from the National Public Service Portal


def put(unit: str, text: str, *, source: str, code: str = "HCC.HS_TIEP_NHAN", period=PERIOD):
    DataValue.objects.update_or_create(
        indicator=Indicator.objects.get(code=code),
        disaggregation="",
        unit=Unit.objects.get(code=unit),
        period=period,
        source=source,
        defaults={
            "value": text,
            "channel": ValueSource.IMPORT,
            "updated_at": timezone.now(),
        },
    )


def rule(code="DS.HCC.TIEP_NHAN", **fields) -> ReconciliationRule:
    defaults = {
        "name": "Hồ sơ tiếp nhận: báo cáo của xã và Cổng Dịch vụ công quốc gia",
        "indicator": Indicator.objects.get(code="HCC.HS_TIEP_NHAN"),
        "left_source": REPORT,
        "right_source": PORTAL,
    }
    defaults.update(fields)
    made = ReconciliationRule(code=code, **defaults)
    made.full_clean()
    made.save()
    return made


def person(username, unit, role):
    return user_create(
        username=username, password=None, unit=Unit.objects.get(code=unit), roles=[role], actor=None
    )
