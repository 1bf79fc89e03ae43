"""The sample catalogue (loaded once for the package) and a store in a folder of each test's."""

import pytest

from baocao.analytics.store import reader_close
from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    officer,
    report,
    reviewer,
    sample_catalogue,
)


@pytest.fixture
def store(settings, tmp_path):
    """An empty analytics folder for the test; this thread's connection closed after it."""
    settings.ANALYTICS_DIR = tmp_path / "analytics"
    reader_close()
    yield settings.ANALYTICS_DIR
    reader_close()
