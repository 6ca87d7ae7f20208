from django.db import migrations

from ocpo.search import search_index_operations

# The fields of FindingQuerySet.own_search_fields(), in order.
SEARCHED = {"finding": ("title", "summary", "quotation", "actors")}


class Migration(migrations.Migration):
    dependencies = [("interfaces", "0001_initial")]

    operations = [migrations.RunPython(*search_index_operations("interfaces", SEARCHED))]
