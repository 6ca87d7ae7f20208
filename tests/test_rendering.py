"""What the pages' cheaper rendering must keep: the HTML it replaced, to the byte.

A list page's filter form has a hundred options and its cards a hundred links; the select
template (``templates/django/forms/widgets/select.html``) and ``{% link_tag %}`` make them
without an included template each, and must write exactly what those templates wrote.
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template import engines
from django.template.loader import get_template
from django.urls import set_script_prefix

from ocpo.keys import record_url
from ocpo.portal import KeySelect


class CountedSelect(forms.Select):
    """Options with attributes of every kind the template writes (value, True, False)."""

    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        option["attrs"].update({"data-count": 3, "data-none": False, "data-flag": True})
        return option


GROUPED = [("Africa", [("LBR", "Liberia"), ("SLE", "Sierra Leone")]), ("HTI", "Haiti & <co>")]
WIDGETS = [
    (forms.Select(choices=[("", "any"), ("paper", "Paper"), ("editors", "Editors")]), "paper"),
    (forms.SelectMultiple(attrs={"size": 3}, choices=GROUPED), ["SLE", "HTI"]),
    (forms.SelectMultiple(choices=[(2012, "2012"), (2013, "2013")]), [2013]),
    (forms.NullBooleanSelect(), None),
    (CountedSelect(choices=[("a", "A"), ("b", "B")]), "b"),
    (KeySelect([("UNMIL", "UNMIL: Liberia"), ("MINUSTAH", "MINUSTAH: Haiti")]), ["unmil", "X"]),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda w: type(w).__name__)
def test_a_select_writes_the_html_of_djangos_own_templates(widget, value):
    ours = widget.render("f", value, {"id": "id_f"}, renderer=get_default_renderer())
    djangos = widget.render("f", value, {"id": "id_f"}, renderer=DjangoTemplates())
    assert ours == djangos
    assert "<option" in ours


def test_the_forms_render_with_the_projects_select():
    origin = get_template("django/forms/widgets/select.html").origin.name
    assert "/templates/django/forms/widgets/select.html" in origin
    assert "site-packages" not in origin


def link_tag(link, target, text, css=None):
    args = "link target text" + (" css" if css is not None else "")
    template = engines["django"].from_string("{% load portal %}{% link_tag " + args + " %}")
    return template.render({"link": link, "target": target, "text": text, "css": css})


def test_a_link_shows_its_basis_and_its_reason():
    target = SimpleNamespace(get_absolute_url=lambda: "/countries/COD/")
    editors = SimpleNamespace(is_editors=True, reason="Names 'these groups' & <more>")
    stated = SimpleNamespace(is_editors=False, reason="Footnote 4")
    bare = SimpleNamespace(is_editors=False, reason="")
    assert link_tag(editors, target, "Congo & co", "tag tag-country") == (
        '<a class="tag tag-country link-editors" href="/countries/COD/" title="The editors\' '
        'inference: Names &#x27;these groups&#x27; &amp; &lt;more&gt;">Congo &amp; co'
        '<span class="link-basis"> (editors)</span></a>'
    )
    assert link_tag(stated, target, "Congo") == (
        '<a class="" href="/countries/COD/" title="Stated by the paper: Footnote 4">Congo</a>'
    )
    assert link_tag(bare, target, "Congo", "tag") == (
        '<a class="tag" href="/countries/COD/">Congo</a>'
    )


def test_a_remembered_record_url_follows_the_script_prefix():
    assert record_url("missions:mission_detail", acronym="UNMIL") == "/missions/UNMIL/"
    set_script_prefix("/ocpo/")
    try:
        assert record_url("missions:mission_detail", acronym="UNMIL") == "/ocpo/missions/UNMIL/"
    finally:
        set_script_prefix("/")
    assert record_url("missions:mission_detail", acronym="UNMIL") == "/missions/UNMIL/"
    assert record_url("missions:mission_detail", acronym="AUD/IT") == ""


def test_every_included_template_exists():
    """A partial removed while another branch added a use of it broke three pages."""
    root = Path(settings.BASE_DIR) / "templates"
    included = {
        name
        for path in root.rglob("*.html")
        for name in re.findall(r'{% include "([^"]+)"', path.read_text())
    }
    assert included
    for name in sorted(included):
        get_template(name)
