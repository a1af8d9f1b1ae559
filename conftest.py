"""Test-wide fixtures and the rule that CI never skips a service-backed or browser test."""

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REQUIRE_ALL = IN_CI or os.environ.get("REQUIRE_ALL_TESTS") == "1"


def _using_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _redis_url() -> str | None:
    url = os.environ.get("CELERY_BROKER_URL", "")
    return url if url.startswith("redis://") else None


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def _restore_data_after_flushes(item) -> None:
    """A transactional test starts from the migrated data (catalogues, roles, SMS templates), not an empty database.

    Transactional tests end with a flush; `serialized_rollback` reloads the data that migrations seeded before the
    next one starts. pytest-django runs them after all the rolled-back tests, so those never see a flushed database.
    """
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "live_server" in fixtures or "transactional_db" in fixtures
    )
    if not transactional:
        return
    kwargs = dict(marker.kwargs) if marker is not None else {}
    kwargs.update(transaction=True, serialized_rollback=True)
    item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def pytest_collection_modifyitems(config, items):
    for item in items:
        _restore_data_after_flushes(item)
    reasons = {
        "postgres": None if _using_postgres() else "needs PostgreSQL: set DATABASE_URL=postgres://…",
        "services": None if _redis_url() else "needs Redis and a worker: set CELERY_BROKER_URL=redis://…",
        "browser": None if _chromium() else "needs Debian's chromium (apt-get install chromium)",
    }
    for item in items:
        for marker, reason in reasons.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped:
        # In CI a skip hides a missing service: it counts as a failure.
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which must run every test: {report.longrepr}"
