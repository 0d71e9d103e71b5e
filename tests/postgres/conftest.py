"""The PostgreSQL tests: a real server (tests/pg.py), one database per test."""

from ..pg import pg_server, pg_url  # noqa: F401 - fixtures
