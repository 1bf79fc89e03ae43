"""The reports' fixtures (sample catalogue, officers, a report of Phường Ba Đình)."""

from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    officer,
    report,
    reviewer,
    sample_catalogue,
)
