"""Full-text search (GIN) against a plain icontains scan of the same findings; prints JSON."""

import json
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project root

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpo.settings")
django.setup()

from django.db.models import Q  # noqa: E402

from interfaces.models import Finding  # noqa: E402

WORD = sys.argv[1] if len(sys.argv) > 1 else "cocaine"
FIELDS = Finding.objects.own_search_fields()


def timed(make_queryset, runs=15):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        rows = list(make_queryset().values_list("pk", flat=True))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(rows)


def full_text():
    return Finding.objects.search(WORD)


def icontains():
    return Finding.objects.filter(
        Q.create([(f"{f}__icontains", WORD) for f in FIELDS], connector=Q.OR)
    )


def full_text_match():
    """The matching alone, unranked: what the icontains scan also does."""
    return Finding.objects.search(WORD).order_by()


ranked_ms, ranked_rows = timed(full_text)
match_ms, match_rows = timed(full_text_match)
scan_ms, scan_rows = timed(icontains)
plan = full_text().explain()
print(
    json.dumps(
        {
            "word": WORD,
            "findings": Finding.objects.count(),
            "matches": match_rows,
            "full_text_match_ms": round(match_ms, 2),
            "full_text_ranked_ms": round(ranked_ms, 2),
            "icontains_ms": round(scan_ms, 2),
            "icontains_rows": scan_rows,
            "speedup_match": round(scan_ms / match_ms, 1),
            "speedup_ranked": round(scan_ms / ranked_ms, 1),
            "uses_gin_index": "finding_search_idx" in plan,
        }
    )
)
