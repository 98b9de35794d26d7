"""Everything under tests/scale/ is marked ``scale`` (PostgreSQL, Redis, nginx).

One cluster serves the whole scale run (starting workers is the slow part): three ``meetup
serve`` workers on PostgreSQL and Redis behind nginx, as docs/deploy.md describes. Every test
seeds its own meetup, so tests do not see each other's phones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.db_servers import RedisServer, redis_server  # noqa: F401  (fixture)
from tests.scale.harness import Cluster, Phone, start_cluster
from tests.servers import inprocess_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.scale)
            # The first test also pays for starting PostgreSQL, Redis, three workers and nginx.
            item.add_marker(pytest.mark.timeout(300))


@pytest.fixture(scope="session")
def cluster(postgres_server: str, redis_server: RedisServer,  # noqa: F811
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with start_cluster(postgres_server, redis_server.url,
                       tmp_path_factory.mktemp("cluster"), workers=3) as running:
        yield running


@pytest.fixture(scope="module")
def seed_app(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with inprocess_app(cluster.database_url, cluster.secret,
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    """Sockets a test opens; hung up at its end."""
    opened: list[Phone] = []
    yield opened
    for phone in opened:
        phone.close()
