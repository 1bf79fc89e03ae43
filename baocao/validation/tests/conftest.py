"""The reports' fixtures (sample catalogue, officers, a report of Phường Ba Đình), and a
figure reported by a ward and by the National Public Service Portal."""

import pytest

from baocao.catalogue.models import ReconciliationRule
from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    officer,
    report,
    reviewer,
    sample_catalogue,
)
from baocao.validation.tests.sources import PORTAL, REPORT, put, rule


@pytest.fixture
def own_rules(sample_catalogue):  # noqa: F811
    """Only the rules a test makes (the sample's are removed, inside the test's transaction)."""
    ReconciliationRule.objects.all().delete()


@pytest.fixture
def two_sources(own_rules):
    # Ba Đình's report says 40 dossiers, the portal 43; Ngọc Hà (00008) agrees on 90;
    # Hoàn Kiếm (00070) has only its report so far.
    put("00004", "40", source=REPORT)
    put("00004", "43", source=PORTAL)
    put("00008", "90", source=REPORT)
    put("00008", "90", source=PORTAL)
    put("00070", "12", source=REPORT)
    return rule()
