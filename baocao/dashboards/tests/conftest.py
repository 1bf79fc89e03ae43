"""The sample catalogue (loaded once for the package) and an analytics store per test."""

import pytest

from baocao.analytics.tests.conftest import store  # noqa: F401
from baocao.submissions.tests.conftest import (  # noqa: F401
    _sample_catalogue_for_package,
    officer,
    report,
    reviewer,
    sample_catalogue,
)


@pytest.fixture(autouse=True)
def _empty_cache():  # type: ignore[no-untyped-def]
    """Panels' figures are cached by analytics version; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
