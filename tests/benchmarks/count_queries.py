"""Print, as JSON, the SQL queries each URL (argv) runs in-process against DATABASE_URL."""

import json
import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")
counts = {}
for url in sys.argv[1:]:
    client.get(url)  # warm caches, as the load test does
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            for _ in response.streaming_content:
                pass
    counts[url] = {"queries": len(queries), "status": response.status_code}
print(json.dumps(counts))
