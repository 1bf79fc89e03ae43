"""The sample catalogue (loaded once for the package) and an analytics store per test."""

from baocao.analytics.tests.conftest import store  # noqa: F401
from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    officer,
    report,
    reviewer,
    sample_catalogue,
)
