"""Reads whose SQL the ORM writes once per process, then run again with new values.

Django compiles a query each time it runs: for a query of unions and subqueries, that is thousands of Python
calls, more than the rest of a page served from the cache (``chibo.lib.parts``) that asks which tokens its part
is kept under. A ``Prepared`` read is written as an ordinary query set, built once per database with placeholders
for its values; its SQL is kept, and each run swaps the placeholders for the values and asks the database
directly. The rows come back as the database returns them (tuples, no field converters): for text and numbers.
On PostgreSQL the read is also prepared once per database session (``PREPARE``, sent with its first ``EXECUTE``
as one statement), with the query's constants written in; the settings have the session keep one plan for every
value (``plan_cache_mode=force_generic_plan``), so the server plans the read once, where planning a query of unions
and subqueries may take longer than running it (``CHIBO["PREPARED_STATEMENTS"]``, on by default).

    tokens = Prepared(lambda cell: OrganisationVersion.objects.filter(path=cell).values_list("token"), str)
    tokens.rows("0001")
"""

from __future__ import annotations

import functools
import itertools
import re
import threading
from collections.abc import Callable
from typing import Any, ClassVar

from django.conf import settings
from django.db import connections, router
from django.db.models import Model, QuerySet

# A placeholder of each kind: values no row holds, each found again among the query's parameters.
_INT_BASE = -(2**62)
_TEXT_MARK = "\x1fprepared-placeholder-{}\x1f"
_NUMBERS = itertools.count()


class PreparationError(ValueError):
    """The query does not pass a placeholder on as it is (the value is changed, or left out, on the way)."""


def _placeholder(kind: type, index: int) -> Any:
    if kind is int:
        return _INT_BASE + index
    if kind is str:
        return _TEXT_MARK.format(index)
    raise TypeError(f"A prepared read takes int and str values, not {kind.__name__}.")


class Prepared:
    """A read built by ``build`` (called with one placeholder per value of ``kinds``, int or str), compiled once per
    database and run with ``rows(*values)``. Every read made is listed in ``Prepared.made``: a server compiles them
    all before it takes a request (``compile_all``)."""

    made: ClassVar[list[Prepared]] = []

    def __init__(self, build: Callable[..., QuerySet[Any]], *kinds: type) -> None:
        self.build = build
        self.kinds = kinds
        self.placeholders = [_placeholder(kind, index) for index, kind in enumerate(kinds)]
        self._compiled: dict[str, tuple[str, list[Any], list[int | None]]] = {}
        self._lock = threading.Lock()
        self.name = f"chibo_prepared_{next(_NUMBERS)}"  # the statement's name in every database session
        Prepared.made.append(self)

    @classmethod
    def compile_all(cls) -> None:
        """Compile every read made so far, for each database it may be read from."""
        for prepared in list(cls.made):
            prepared.compiled(router.db_for_read(prepared.model) or "default")

    @functools.cached_property
    def model(self) -> type[Model]:
        """The model the query reads (built when first asked: a module may define its reads before the apps are
        ready)."""
        return self.build(*self.placeholders).model

    def compiled(self, using: str) -> tuple[str, list[Any], list[int | None]]:
        """The SQL for database ``using``, its parameters, and for each the index of the value it takes (None: a
        constant of the query)."""
        found = self._compiled.get(using)
        if found is None:
            with self._lock:
                found = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = found
        return found

    def _compile(self, using: str) -> tuple[str, list[Any], list[int | None]]:
        query = self.build(*self.placeholders).query
        sql, params = query.get_compiler(using=using).as_sql()
        slots: list[int | None] = []
        for param in params:
            slot = next((i for i, p in enumerate(self.placeholders) if type(param) is type(p) and param == p), None)
            if slot is None and isinstance(param, str) and "prepared-placeholder" in param:
                raise PreparationError(f"The query changes a placeholder: {param!r}.")
            slots.append(slot)
        missing = set(range(len(self.placeholders))) - set(slots)
        if missing:
            raise PreparationError(f"The query leaves out the values {sorted(missing)}.")
        return sql, list(params), slots

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        """The rows of the query for these values: one statement, on the database the routers read the model from."""
        if len(values) != len(self.kinds) or not all(isinstance(v, k) for v, k in zip(values, self.kinds, strict=True)):
            raise TypeError(f"A prepared read takes {[kind.__name__ for kind in self.kinds]}, not {values!r}.")
        using = router.db_for_read(self.model) or "default"
        sql, params, slots = self.compiled(using)
        connection = connections[using]
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql" or not settings.CHIBO.get("PREPARED_STATEMENTS", True):
                args = [param if slot is None else values[slot] for param, slot in zip(params, slots, strict=True)]
                cursor.execute(sql, args)
                return cursor.fetchall()
            held = _held(connection)
            execute = f"EXECUTE {self.name} ({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {self.name}"
            if self.name in held:
                cursor.execute(execute, values)
            else:
                quote = functools.partial(_literal, connection)
                cursor.execute(f"PREPARE {self.name} AS {_statement(sql, params, slots, quote)}; {execute}", values)
                held.add(self.name)
            return cursor.fetchall()

    def prepare(self) -> None:
        """Prepare the read in the current database session and have the server plan it, as its first run would:
        run once with values no row holds."""
        self.rows(*self.placeholders)

    @classmethod
    def prepare_all(cls) -> None:
        """``prepare`` every read made so far (a new worker, before its first request)."""
        for prepared in list(cls.made):
            prepared.prepare()


# The statements prepared in a connection's current database session: the session (the driver's connection object,
# held so that a new one is never taken for it) and the statements' names. A statement lives as long as its
# session, whatever becomes of the transaction it was prepared in.
_HELD = "_chibo_prepared_statements"


def _held(connection: Any) -> set[str]:
    """The names of the statements prepared in the connection's current session."""
    held = getattr(connection, _HELD, None)
    if held is None or held[0] is not connection.connection:
        held = (connection.connection, set())
        setattr(connection, _HELD, held)
    return held[1]


def _literal(connection: Any, value: Any) -> str:
    """A constant of a query as an SQL literal of the connection's database."""
    return connection.ops.compose_sql("%s", [value])


def _statement(sql: str, params: list[Any], slots: list[int | None], quote: Callable[[Any], str]) -> str:
    """The query as ``PREPARE`` takes it: each parameter that takes a value is that value's number ($1 for the first
    value, wherever it comes), and each constant of the query is written in, as a literal (``quote``), so that the
    plan the server keeps for every value knows them. A ``%`` stays doubled, as the driver expects."""
    pieces = iter(zip(params, slots, strict=True))

    def swap(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%%"
        param, slot = next(pieces)
        return quote(param).replace("%", "%%") if slot is None else f"${slot + 1}"

    return re.sub(r"%[%s]", swap, sql)
