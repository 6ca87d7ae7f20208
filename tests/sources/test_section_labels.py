"""How a record names the section it was read in, on its page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("slug", "label"),
    [
        ("haiti-drug-trade-gangs", "II.2, Organized Crime Undermines Security"),
        # The Annex's heading begins with its code: said once, not "Annex, Annex, ...".
        (
            "liberia-sierra-leone-resource-measures",
            "Annex, Table 1. Measures Employed by Peace Operations",
        ),
    ],
)
def test_a_finding_page_names_its_section_by_code_and_heading(client, kb, slug, label):
    page = client.get(f"/findings/{slug}/").content.decode()
    assert label in page
    assert "Annex, Annex" not in page
