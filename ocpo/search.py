"""Full-text search with the same rules on SQLite and PostgreSQL, in each database's own engine.

Every searched table has an index that the database itself keeps current on every write,
whatever path the write takes (admin, API, ``load_kb``, bulk inserts):

- SQLite: an external-content FTS5 table ``<table>_fts`` (``porter unicode61
  remove_diacritics 2``: stemming, case and accent folding), fed by triggers;
- PostgreSQL: a stored generated ``search_vector`` column under the ``ocpo`` text search
  configuration (``unaccent`` then the English stemmer) with a GIN index, so ranking
  reads stored vectors instead of recomputing them.

The query is normalised in Python for both engines alike: English stop words dropped
(PostgreSQL's list, which SQLite lacks), and British and American spellings of the
field's words OR-ed together (``SPELLINGS``). A "did you mean" comes from ``SearchWord``,
the vocabulary of the indexed text.
"""

import difflib
import re
import unicodedata
from functools import lru_cache, reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connections, models
from django.db.models import Expression, FloatField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Length

SEARCH_MAX_LENGTH = 200
MAX_TERMS = 12
CONFIG = "ocpo"  # PostgreSQL text search configuration made by missions 0003_full_text
VECTOR_COLUMN = "search_vector"
FTS5_TOKENIZER = "porter unicode61 remove_diacritics 2"
# PostgreSQL's parser reads "Liberia/Cote" as one file path and "un.org" as one host;
# unicode61 splits them. Both sides of a PostgreSQL match get these characters as spaces.
PG_SPLIT_CHARS = "/.@-"
PG_SPLIT = str.maketrans(PG_SPLIT_CHARS, " " * len(PG_SPLIT_CHARS))

# PostgreSQL's english.stop, so that SQLite (which keeps every word) answers alike.
STOPWORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)

# British and American spellings of words this field uses: (British stem, American stem),
# each followed by one of SUFFIXES. "organised" and "organized" stem differently, so the
# query asks for both.
SPELLINGS = (
    ("organis", "organiz"),
    ("stabilis", "stabiliz"),
    ("destabilis", "destabiliz"),
    ("militaris", "militariz"),
    ("demilitaris", "demilitariz"),
    ("criminalis", "criminaliz"),
    ("decriminalis", "decriminaliz"),
    ("legalis", "legaliz"),
    ("authoris", "authoriz"),
    ("recognis", "recogniz"),
    ("prioritis", "prioritiz"),
    ("mobilis", "mobiliz"),
    ("demobilis", "demobiliz"),
    ("characteris", "characteriz"),
    ("institutionalis", "institutionaliz"),
    ("privatis", "privatiz"),
    ("neutralis", "neutraliz"),
    ("jeopardis", "jeopardiz"),
    ("summaris", "summariz"),
    ("utilis", "utiliz"),
    ("minimis", "minimiz"),
    ("analys", "analyz"),
    ("paralys", "paralyz"),
    ("defenc", "defens"),
    ("offenc", "offens"),
    ("licenc", "licens"),
    ("labour", "labor"),
    ("favour", "favor"),
    ("behaviour", "behavior"),
    ("neighbour", "neighbor"),
    ("harbour", "harbor"),
    ("honour", "honor"),
    ("rumour", "rumor"),
    ("centre", "center"),
    ("programme", "program"),
    ("judgement", "judgment"),
    ("fuell", "fuel"),
    ("travell", "travel"),
    ("counsell", "counsel"),
    ("modell", "model"),
    ("labell", "label"),
    ("channell", "channel"),
    ("signall", "signal"),
    ("manoeuvr", "maneuver"),
    ("grey", "gray"),
)
SUFFIXES = ("", "e", "ed", "es", "er", "ers", "ing", "s", "ation", "ations", "able", "ist")


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_query(q):
    """The query bounded, without control characters (PostgreSQL refuses NUL in text)."""
    return CONTROL.sub(" ", str(q or "")[:SEARCH_MAX_LENGTH]).strip()


def fold(text):
    """Case- and accent-folded text ("Côte" -> "cote"), as both engines index it."""
    text = CONTROL.sub(" ", str(text or ""))
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def spelling_variants(word):
    """The word and its other spelling, if it is one of SPELLINGS ("organised" -> "organized")."""
    variants = [word]
    for british, american in SPELLINGS:
        for this, other in ((british, american), (american, british)):
            if word.startswith(this) and word[len(this) :] in SUFFIXES:
                variants.append(other + word[len(this) :])
    return tuple(dict.fromkeys(variants))


def query_tokens(q):
    """The query as a list of alternatives per word: every word must match one of its own.

    Words are split on spaces, so that a symbol such as ``S/RES/2070`` stays one token
    for each engine's own tokenizer; stop words are dropped as PostgreSQL drops them.
    """
    tokens = []
    for raw in (q or "")[:SEARCH_MAX_LENGTH].split():
        word = fold(raw).strip("\"'“”‘’()[]{}<>,.;:!?*^+-")
        if not re.search(r"[^\W_]", word) or word in STOPWORDS:
            continue
        tokens.append(spelling_variants(word))
    return tokens[:MAX_TERMS]


def fts5_match(tokens):
    """An FTS5 MATCH expression: each alternative a quoted string, which FTS5 tokenizes itself."""

    def quoted(text):
        return '"' + text.replace('"', '""') + '"'

    return " AND ".join("(" + " OR ".join(quoted(v) for v in alts) + ")" for alts in tokens)


def pg_split(text):
    """Break what PostgreSQL's parser keeps whole (paths, hosts, hyphenated words) as FTS5 does."""
    return text.translate(PG_SPLIT)


def pg_query(tokens):
    """The same query for PostgreSQL: a phrase per alternative (as FTS5 quotes), OR-ed, AND-ed."""

    def phrase(text):
        return SearchQuery(pg_split(text), config=CONFIG, search_type="phrase")

    return reduce(and_, (reduce(or_, (phrase(v) for v in alts)) for alts in tokens))


def fts_table(model):
    return f"{model._meta.db_table}_fts"


class TableSQL(Expression):
    """SQL about the queried table, whose alias is known only when compiled (subqueries
    relabel it)."""

    def __init__(self, template, params=(), output_field=None):
        super().__init__(output_field=output_field)
        self.template, self.params = template, tuple(params)

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.template.format(table=alias), list(self.params)


def stored_vector():
    return TableSQL("{table}." + VECTOR_COLUMN, output_field=SearchVectorField())


def fts5_rank(model, match, weights):
    """bm25 of the record's row in its FTS5 table, negated so that larger is better."""
    table, pk = fts_table(model), model._meta.pk.column
    weight_list = ", ".join(str(w) for w in weights)
    return TableSQL(
        f'(SELECT -bm25("{table}", {weight_list}) FROM "{table}" '
        f'WHERE "{table}" MATCH %s AND "{table}".rowid = {{table}}."{pk}")',
        [match],
        output_field=FloatField(),
    )


def fts5_rowids(model, match):
    table = fts_table(model)
    return RawSQL(f'SELECT rowid FROM "{table}" WHERE "{table}" MATCH %s', [match])


class SearchableQuerySet(models.QuerySet):
    """``search(q)`` over ``search_fields``, ranked, in the database's own full-text index.

    Every word must match. The record's own fields (no ``__``) are indexed, the first
    weighted most. A field through a relation (``countries__name``) lets a record match
    through the linked record's own index, and so through all of that record's searched
    fields (a mission matches a word in its countries' names or regions).
    """

    search_fields: tuple[str, ...] = ()

    def search(self, q):
        tokens = query_tokens(q)
        if not tokens:
            return self.none()
        model = self.model
        postgres = connections[self.db].vendor == "postgresql"
        if postgres:
            query = pg_query(tokens)
            rank = SearchRank(stored_vector(), query)
        else:
            query = fts5_match(tokens)
            weights = [10.0] + [1.0] * (len(self.own_search_fields()) - 1)
            rank = Coalesce(fts5_rank(model, query, weights), 0.0)
        linked = [field for field in self.search_fields if "__" in field]
        if postgres and not linked:
            # Match on the queried rows themselves: no scan of the table to join a subquery.
            ranked = self.alias(_sv=stored_vector()).filter(_sv=query)
            return ranked.annotate(search_rank=rank).order_by("-search_rank", *model._meta.ordering)
        matches = Q(pk__in=self._own_matches(model, query, postgres))
        for field in linked:
            path = field.rsplit("__", 1)[0]
            related = model._meta.get_field(path).related_model
            through = model._default_manager.filter(
                **{f"{path}__in": self._own_matches(related, query, postgres)}
            )
            matches |= Q(pk__in=through.values("pk"))
        return (
            self.filter(matches)
            .annotate(search_rank=rank)
            .order_by("-search_rank", *model._meta.ordering)
        )

    def own_search_fields(self):
        return [field for field in self.search_fields if "__" not in field]

    @staticmethod
    def _own_matches(model, query, postgres):
        if postgres:
            return model._default_manager.alias(_sv=stored_vector()).filter(_sv=query).values("pk")
        return fts5_rowids(model, query)


# --- highlighting what matched ------------------------------------------------------------

HIGHLIGHT_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "es", "ed", "s")


def _prefix(word):
    """A crude stem for highlighting: "diamonds" marks "diamond" and "diamonds" alike."""
    for suffix in HIGHLIGHT_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=256)
def _highlight_pattern(q):
    prefixes = {
        _prefix(word)
        for alternatives in query_tokens(q)
        for variant in alternatives
        for word in re.findall(r"[^\W_]+", variant)
        if len(word) > 1
    }
    if not prefixes:
        return None
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(r"(?<![&#\w])(?:" + alternatives + r")\w*")


def _fold_char(char):
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold() or " "


def mark_matches(escaped, q):
    """``escaped`` (HTML-escaped text) with the words the query matched in ``<mark>``.

    Matching is on the folded text, so "cote" marks "Côte" and "organised" marks
    "organized", as the engines matched them; a match never starts inside an entity
    such as ``&amp;``, whose letters follow ``&``.
    """
    pattern = _highlight_pattern(str(q or "")[:SEARCH_MAX_LENGTH])
    if pattern is None:
        return escaped
    if escaped.isascii():
        folded, origin = escaped.lower(), None
    else:
        pieces = [(i, piece) for i, char in enumerate(escaped) for piece in _fold_char(char)]
        folded, origin = "".join(p for _, p in pieces), [i for i, _ in pieces]
    out, last = [], 0
    for match in pattern.finditer(folded):
        start, end = match.start(), match.end()
        if origin is not None:
            start, end = origin[start], origin[end - 1] + 1
        out += [escaped[last:start], "<mark>", escaped[start:end], "</mark>"]
        last = end
    out.append(escaped[last:])
    return "".join(out)


# --- the indexes, made by the apps' "full_text" migrations -------------------------------


def create_pg_config(schema_editor):
    """The ``ocpo`` configuration: English with ``unaccent`` in front of the stemmer."""
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute(
        f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{CONFIG}') THEN
            CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english);
            ALTER TEXT SEARCH CONFIGURATION {CONFIG}
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF; END $$"""
    )


def _pg_vector_sql(fields, qn):
    blanks = " " * len(PG_SPLIT_CHARS)
    parts = [
        f"setweight(to_tsvector('{CONFIG}'::regconfig, "
        f"translate(coalesce({qn(field)}, ''), '{PG_SPLIT_CHARS}', '{blanks}')), "
        f"'{'A' if i == 0 else 'B'}')"
        for i, field in enumerate(fields)
    ]
    return " || ".join(parts)


def create_index(schema_editor, model, columns):
    """The full-text index of one table on ``columns`` (its own searched fields, in order)."""
    table, qn = model._meta.db_table, schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        # The expression indexes of the former 0002_search_indexes had the same names.
        index = qn(model._meta.model_name + "_search_idx")
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(
            f"ALTER TABLE {qn(table)} ADD COLUMN {VECTOR_COLUMN} tsvector "
            f"GENERATED ALWAYS AS ({_pg_vector_sql(columns, qn)}) STORED"
        )
        schema_editor.execute(f"CREATE INDEX {index} ON {qn(table)} USING gin ({VECTOR_COLUMN})")
    elif schema_editor.connection.vendor == "sqlite":
        fts, pk = fts_table(model), model._meta.pk.column
        schema_editor.execute(
            f'CREATE VIRTUAL TABLE "{fts}" USING fts5({", ".join(qn(c) for c in columns)}, '
            # content="..." in double quotes is how Datasette recognises an FTS table.
            f'content="{table}", content_rowid="{pk}", tokenize=\'{FTS5_TOKENIZER}\')'
        )
        with schema_editor.connection.cursor() as cursor:
            ensure_sqlite_triggers(cursor, table, pk)
            cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')


def drop_index(schema_editor, model):
    table, qn = model._meta.db_table, schema_editor.quote_name
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {qn(table)} DROP COLUMN IF EXISTS {VECTOR_COLUMN}")
    elif schema_editor.connection.vendor == "sqlite":
        for suffix in ("ai", "ad", "au"):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_fts_{suffix}"')
        schema_editor.execute(f'DROP TABLE IF EXISTS "{fts_table(model)}"')


def ensure_sqlite_triggers(cursor, table, pk):
    """Create the triggers that feed ``<table>_fts``, if missing; True if any was.

    Django's SQLite backend rebuilds a table to alter it, which drops its triggers; the
    ``post_migrate`` hook calls this again so that a later migration cannot silently stop
    the index from following writes.
    """
    fts = f"{table}_fts"
    cursor.execute(f'SELECT name FROM pragma_table_info("{fts}")')
    columns = [row[0] for row in cursor.fetchall()]
    if not columns:
        return False
    cols = ", ".join(f'"{c}"' for c in columns)
    new = ", ".join(f'new."{c}"' for c in columns)
    old = ", ".join(f'old."{c}"' for c in columns)
    delete = f'INSERT INTO "{fts}"("{fts}", rowid, {cols}) VALUES (\'delete\', old."{pk}", {old});'
    insert = f'INSERT INTO "{fts}"(rowid, {cols}) VALUES (new."{pk}", {new});'
    triggers = {
        "ai": f'AFTER INSERT ON "{table}" BEGIN {insert} END',
        "ad": f'AFTER DELETE ON "{table}" BEGIN {delete} END',
        "au": f'AFTER UPDATE ON "{table}" BEGIN {delete} {insert} END',
    }
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
    )
    existing = {row[0] for row in cursor.fetchall()}
    missing = False
    for suffix, body in triggers.items():
        if f"{table}_fts_{suffix}" not in existing:
            missing = True
            cursor.execute(f'CREATE TRIGGER "{table}_fts_{suffix}" {body}')
    return missing


def index_operations(app_label, searched):
    """forward/backward functions for RunPython: one index per model of ``searched``."""

    def forward(apps, schema_editor):
        for model_name, columns in searched.items():
            create_index(schema_editor, apps.get_model(app_label, model_name), columns)

    def backward(apps, schema_editor):
        for model_name in searched:
            drop_index(schema_editor, apps.get_model(app_label, model_name))

    return forward, backward


def searched_models():
    """Every model whose default QuerySet is searchable."""
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if isinstance(m._default_manager.all(), SearchableQuerySet)
        and m._default_manager.all().own_search_fields()
    ]


def repair_after_migrate(using="default", **kwargs):
    """Put back SQLite triggers that a table rebuild dropped, and rebuild that index."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for model in searched_models():
            table = model._meta.db_table
            if ensure_sqlite_triggers(cursor, table, model._meta.pk.column):
                fts = fts_table(model)
                cursor.execute(f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')')


# --- "did you mean": the vocabulary of the indexed text ----------------------------------

WORD_RE = re.compile(r"[^\W\d_]{3,40}")
SUGGEST_WHEN_FEWER_THAN = 3
SUGGEST_CUTOFF = 0.8
MAX_CANDIDATES = 20000
MAX_SUGGESTED = 4  # query words looked at


def words_of(*texts):
    return {w for text in texts for w in WORD_RE.findall(fold(text))}


def record_words(instance):
    """Add the words of a saved record to the vocabulary (one query)."""
    from .models import SearchWord

    fields = instance.__class__._default_manager.all().own_search_fields()
    words = words_of(*(getattr(instance, f) for f in fields))
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in words], ignore_conflicts=True)


def add_words_on_save(sender, instance, **kwargs):
    queryset = sender._default_manager.all()
    if isinstance(queryset, SearchableQuerySet) and queryset.own_search_fields():
        record_words(instance)


def rebuild_vocabulary(batch=2000):
    """The vocabulary from scratch: after bulk inserts, which send no signals, and deletes."""
    from .models import SearchWord

    words = set()
    for model in searched_models():
        fields = model._default_manager.all().own_search_fields()
        for row in model._default_manager.values_list(*fields).iterator(chunk_size=batch):
            words |= words_of(*row)
    SearchWord.objects.all().delete()
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)], batch_size=batch)
    return len(words)


def suggest(q):
    """A corrected query, built from indexed words close to the unknown ones; None if none.

    One query: the vocabulary's words that share a query word's first letter and nearly
    its length (which also tells which query words are known), however large the
    vocabulary; difflib ranks them the same on both databases.
    """
    from .models import SearchWord

    words = [fold(w) for w in (q or "")[:SEARCH_MAX_LENGTH].split()]
    plain = list(dict.fromkeys(w for w in words if WORD_RE.fullmatch(w) and w not in STOPWORDS))
    plain = plain[:MAX_SUGGESTED]
    if not plain:
        return None
    near = reduce(
        or_,
        (Q(word__startswith=w[0], n__gte=len(w) - 2, n__lte=len(w) + 2) for w in plain),
    )
    vocabulary = set(
        SearchWord.objects.annotate(n=Length("word"))
        .filter(near)
        .values_list("word", flat=True)[:MAX_CANDIDATES]
    )
    replacements = {}
    for word in plain:
        if word in vocabulary:
            continue
        candidates = [v for v in vocabulary if v[0] == word[0] and abs(len(v) - len(word)) <= 2]
        close = difflib.get_close_matches(word, candidates, n=1, cutoff=SUGGEST_CUTOFF)
        if close:
            replacements[word] = close[0]
    if not replacements:
        return None
    return " ".join(replacements.get(w, w) for w in words)
