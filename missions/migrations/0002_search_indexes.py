from django.db import migrations

from ocpo.search import search_index_operations

# The fields of DocumentQuerySet and MissionQuerySet.own_search_fields(), in order.
SEARCHED = {
    "document": ("title", "symbol", "author", "description", "publication"),
    "mission": ("acronym", "name", "summary"),
}


class Migration(migrations.Migration):
    dependencies = [("missions", "0001_initial")]

    operations = [migrations.RunPython(*search_index_operations("missions", SEARCHED))]
