"""The cluster tests talk HTTP and SQL to a running ``make cluster``.

They skip when it is not running, with the reason; CI starts the cluster and sets
``OCPO_REQUIRE_CLUSTER=1``, so there a missing cluster fails the run instead.
"""

import os

import pytest

from deploy import cluster

BASE = f"http://127.0.0.1:{cluster.PORTS['nginx']}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def running_cluster():
    if not cluster.http_ok(BASE + "/healthz"):
        reason = "needs the cluster: run `make cluster` first"
        if os.environ.get("OCPO_REQUIRE_CLUSTER", "") not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)
    return BASE
