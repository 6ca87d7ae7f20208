"""Export then load is lossless for every character a text field accepts.

The API and the admin refuse NUL and lone surrogates (DRF's and Django's form validators,
and PostgreSQL cannot store NUL); every other character must come back as it went out.
YAML reads some characters as line breaks (U+0085 NEL became a space): the export escapes
them.
"""

import pytest
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from interfaces.models import Finding
from ocpo import kb as knowledge_base
from tests.factories import make_world

ACCEPTED = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
TEXT = st.text(ACCEPTED, min_size=1)
BREAKS = "\r\n\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e"


@given(text=TEXT | st.text(st.sampled_from(BREAKS + " \tab"), min_size=1))
@example(text="a\x85b")
@example(text="a\nb\x85")
@example(text=" \u2028 \r\n")
@settings(max_examples=400, deadline=None)
def test_the_fixture_format_reads_back_every_text(text):
    file = knowledge_base.file_text([{"summary": text, "title": text}])
    read = yaml.load(file, Loader=knowledge_base._YamlLoader)
    assert read == [{"summary": text, "title": text}]


@pytest.mark.django_db
@given(text=TEXT)
@example(text="Monitoring\x85the border")
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_export_then_load_gives_back_the_text(tmp_path_factory, text):
    if not Finding.objects.exists():  # examples share the test's database
        make_world(1)
    finding = Finding.objects.order_by("pk").first()
    finding.summary = finding.quotation = text
    finding.save()
    folder = tmp_path_factory.mktemp("export")
    call_command("export_kb", dir=str(folder), verbosity=0)
    Finding.objects.filter(pk=finding.pk).update(summary="replaced", quotation="")

    call_command("load_kb", dir=str(folder), force=True, verbosity=0)
    finding.refresh_from_db()
    assert (finding.summary, finding.quotation) == (text, text)
