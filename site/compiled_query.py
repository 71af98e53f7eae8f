"""A model query compiled to SQL once per process, then run again with other parameter values.

Django compiles a queryset to SQL on every evaluation: it resolves each lookup, join and selected column
again. For the enrollment's two hot reads that is most of their cost (measured on PostgreSQL, CPU per call:
the seat row locked with its course's and term's rule fields 2.1 ms compiled each time, 0.4 ms as the same
SQL run directly; a participant's enrollments in a term about 2.5 ms), and the first of them runs while the
course's seat row is locked, so every applicant queued behind that lock waits for it too.

    seats_row = CompiledQuery(lambda course_id: CourseSeats.objects.filter(course_id=course_id), course_id=SENTINEL_ID)
    seats_row.fetch(course_id=5)  # -> [CourseSeats], with the queryset's annotations as attributes

`build(**placeholders)` returns the queryset; it is called once per database connection alias with a
placeholder value for each parameter (`SENTINEL_ID` for an integer, `SENTINEL_TEXT` for text, or any value
that appears nowhere else in the query), and each placeholder must reach the SQL's parameters unchanged (an
exact or `in` lookup does; `iexact` or `contains` change it: `ValueError`). The query's SQL, its select list
and its converters (SQLite's dates, decimals and booleans) are Django's own, so `fetch` answers what
evaluating the queryset answers. Only plain model querysets: no `select_related`, `prefetch_related`,
`values()` or slicing (`ValueError`). The first `fetch` must run where evaluating the queryset could (inside
a transaction for `select_for_update`).
"""

import threading

from django.db import connections
from django.db.models.query import ModelIterable

SENTINEL_ID = 2_147_483_000  # within a 32-bit integer column's range, so the lookup is compiled as usual
SENTINEL_TEXT = "\x1fcompiled-query-placeholder\x1f"


class CompiledQuery:
    def __init__(self, build, **placeholders):
        self._build = build
        self._placeholders = placeholders
        self._compiled = {}  # connection alias -> (compiler, sql, params, positions)
        self._lock = threading.Lock()
        self.compilations = 0  # how many times the SQL was compiled (once per alias, or again after `forget`)

    def forget(self) -> None:
        """Drop the compiled SQL; the next `fetch` compiles it again (tests that change the schema)."""
        self._compiled.clear()

    def fetch(self, using: str = "default", **values) -> list:
        """The model instances the queryset built with `values` returns, in its order. Raises ValueError for
        a missing or unknown parameter name."""
        if values.keys() != self._placeholders.keys():
            raise ValueError(f"CompiledQuery.fetch needs exactly {sorted(self._placeholders)}, got {sorted(values)}")
        compiler, sql, params, positions = self._compile(using)
        params = list(params)
        for name, indexes in positions.items():
            for index in indexes:
                params[index] = values[name]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self._instances(compiler, rows, using)

    def _compile(self, using):
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        with self._lock:
            queryset = self._build(**self._placeholders).using(using)
            query = queryset.query
            if (
                queryset._iterable_class is not ModelIterable
                or query.select_related
                or queryset._prefetch_related_lookups
                or query.is_sliced
            ):
                raise ValueError("CompiledQuery takes a plain model queryset (no select_related, values or slices)")
            compiler = query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            positions = {
                name: [i for i, param in enumerate(params) if type(param) is type(value) and param == value]
                for name, value in self._placeholders.items()
            }
            missing = [name for name, indexes in positions.items() if not indexes]
            if missing:
                raise ValueError(f"CompiledQuery: placeholder(s) {missing} did not reach the SQL unchanged")
            compiled = self._compiled[using] = (compiler, sql, tuple(params), positions)
            self.compilations += 1
        return compiled

    @staticmethod
    def _instances(compiler, rows, using) -> list:
        """Rows as model instances, as Django's ModelIterable builds them (converters, deferred fields,
        annotations)."""
        select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
        model = klass_info["model"]
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        instances = []
        for row in compiler.results_iter(results=[rows]):
            instance = model.from_db(using, init_list, row[start:end])
            for name, position in annotation_col_map.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
