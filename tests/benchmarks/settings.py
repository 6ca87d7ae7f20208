"""Benchmark settings: production ocpo plus the floor view, served by the same gunicorn."""

from ocpo.settings import *  # noqa: F403

ROOT_URLCONF = "tests.benchmarks.urls"
