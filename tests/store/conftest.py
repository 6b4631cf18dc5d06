"""Stores for the store tests: SQLite always, and a real PostgreSQL server started by the test
session itself (initdb + pg_ctl in a temporary folder on a loopback port), skipped where
PostgreSQL or psycopg is not installed. Each test gets a new, empty database."""

import pytest

from btctrace.store import open_store
from btctrace.testing.postgres import PostgresServer, postgres_binaries


@pytest.fixture(scope="session")
def postgres_server():
    if postgres_binaries() is None:
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed: apt-get install postgresql")
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'btctrace[postgresql]'")
    with PostgresServer() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server):
    return postgres_server.create_database("test")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request, tmp_path):
    """Where a new store lives: an SQLite file, or a new database on the session's server."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def store(store_location):
    opened = open_store(store_location)
    yield opened
    opened.close()
