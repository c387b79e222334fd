"""``chibo.lib.prepared``: a read compiled once answers as its query set does, for any values, in one statement."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chibo.lib.prepared import PreparationError, Prepared, _statement
from members.models import Organisation, Role
from tests.factories import grant

pytestmark = pytest.mark.django_db


def _paths(org_id: int, kind: str) -> object:
    """The paths of an organisation, of every organisation of a kind, and of where those who hold a role in the
    organisation hold theirs: a union, with a subquery."""
    holders = Role.objects.filter(organisation=org_id).values("user")
    return (
        Organisation.objects.filter(pk=org_id)
        .order_by()
        .values("path")
        .union(
            Organisation.objects.filter(kind=kind).order_by().values("path"),
            Role.objects.filter(user__in=holders).order_by().values("organisation__path"),
        )
    )


def _read(org_id: int, kind: str):
    return Organisation.objects.filter(path__in=_paths(org_id, kind)).order_by("path").values_list("path", "name")


def test_a_prepared_read_answers_as_its_query_set_for_any_values(tree, people) -> None:
    grant(people["secretary"], Role.Kind.COMMITTEE, tree.cell_b1)  # where a holder of a role in cell A1 holds another
    assert [path for path, _ in _read(tree.cell_a1.pk, Organisation.Kind.WARD)] == sorted(
        [tree.cell_a1.path, tree.ward_a.path, tree.ward_b.path, tree.cell_b1.path]
    )
    read = Prepared(_read, int, str)
    for org, kind in [
        (tree.city, Organisation.Kind.WARD),
        (tree.ward_a, Organisation.Kind.CELL),
        (tree.cell_a1, Organisation.Kind.GROUP),
        (tree.cell_b1, Organisation.Kind.WARD),
        (tree.ward_a, Organisation.Kind.PROVINCE),
    ]:
        assert read.rows(org.pk, kind) == list(_read(org.pk, kind))
    assert read.rows(-1, "no such kind") == []


def test_it_is_compiled_once_and_runs_in_one_statement(tree, django_assert_num_queries) -> None:
    built = []

    def build(org_id: int, kind: str):
        built.append((org_id, kind))
        return _read(org_id, kind)

    read = Prepared(build, int, str)
    read.rows(tree.city.pk, Organisation.Kind.WARD)
    count = len(built)
    with django_assert_num_queries(1):
        rows = read.rows(tree.ward_a.pk, Organisation.Kind.CELL)
    assert len(built) == count
    assert [path for path, _ in rows] == [tree.ward_a.path, tree.cell_a1.path, tree.cell_a2.path, tree.cell_b1.path]


def test_a_query_that_changes_or_drops_a_value_is_refused(tree) -> None:
    starts = Prepared(lambda path: Organisation.objects.filter(path__startswith=path).values_list("pk"), str)
    with pytest.raises(PreparationError):
        starts.rows(tree.city.path)
    dropped = Prepared(lambda org_id: Organisation.objects.values_list("pk"), int)
    with pytest.raises(PreparationError):
        dropped.rows(tree.city.pk)


def test_values_of_another_kind_are_refused(tree) -> None:
    read = Prepared(_read, int, str)
    with pytest.raises(TypeError):
        read.rows(str(tree.city.pk), "ward")
    with pytest.raises(TypeError):
        read.rows(tree.city.pk)
    with pytest.raises(TypeError):
        Prepared(_read, int, float)


def test_every_read_made_is_compiled_before_a_request_asks_for_it(tree, monkeypatch, django_assert_num_queries) -> None:
    """What a server does before its workers take requests (``gunicorn.conf.py``): the SQL of every read made."""
    monkeypatch.setattr(Prepared, "made", [])  # not the reads the other tests made, some wrong on purpose
    read = Prepared(_read, int, str)
    assert Prepared.made == [read]
    assert read._compiled == {}
    Prepared.compile_all()
    assert set(read._compiled) == {"default"}
    with django_assert_num_queries(1):
        assert read.rows(tree.city.pk, Organisation.Kind.WARD)


@pytest.mark.parametrize(
    ("sql", "params", "slots", "statement"),
    [
        ("SELECT 1", [], [], "SELECT 1"),
        ('SELECT "a" FROM "t" WHERE "b" = %s', [-1], [0], 'SELECT "a" FROM "t" WHERE "b" = $1'),
        # A constant of the query is written in; a value keeps its number wherever it comes, and comes again.
        (
            "WHERE a = %s AND b LIKE 'x%%' AND c IN (%s, %s) AND d = %s",
            [-2, "open", -1, -2],
            [1, None, 0, 1],
            "WHERE a = $2 AND b LIKE 'x%%' AND c IN ('open', $1) AND d = $2",
        ),
        ("WHERE a LIKE '%%s' OR b = %s", [-1], [0], "WHERE a LIKE '%%s' OR b = $1"),  # a literal "%s" is no parameter
        # A "%" in a constant is doubled, as the driver expects.
        ("WHERE a = %s AND b = %s", ["50%", -1], [None, 0], "WHERE a = '50%%' AND b = $1"),
        ("WHERE a = %s", [7], [None], "WHERE a = 7"),
    ],
)
def test_the_statement_numbers_the_values_and_writes_the_constants_in(sql, params, slots, statement) -> None:
    def quote(value: object) -> str:
        return f"'{value}'" if isinstance(value, str) else str(value)

    assert _statement(sql, params, slots, quote) == statement


@pytest.mark.django_db(transaction=True)  # the test closes the connection, which a test's transaction forbids
def test_on_postgresql_a_read_is_prepared_once_per_database_session(tree, settings) -> None:
    """The server plans the read once: ``PREPARE`` goes with the first ``EXECUTE`` in one statement, the later runs
    send ``EXECUTE`` alone; a new session prepares it again. Elsewhere, or switched off, the query is sent as is."""
    read = Prepared(_read, int, str)
    expected = list(_read(tree.city.pk, Organisation.Kind.WARD))
    with CaptureQueriesContext(connection) as sent:
        for _ in range(3):
            assert read.rows(tree.city.pk, Organisation.Kind.WARD) == expected
    assert len(sent) == 3
    statements = [query["sql"].split(" ", 1)[0] for query in sent]
    if connection.vendor != "postgresql":
        assert statements == ["SELECT"] * 3
        return
    assert statements == ["PREPARE", "EXECUTE", "EXECUTE"]
    # The two values alone: the constants of the query were written in when it was prepared.
    assert sent[1]["sql"] == f"EXECUTE {read.name} ({tree.city.pk}, '{Organisation.Kind.WARD.value}')"
    for _ in range(5):  # past the five runs after which PostgreSQL would otherwise weigh a plan for every value
        read.rows(tree.ward_a.pk, Organisation.Kind.CELL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s", [read.name])
        assert cursor.fetchone() == (8, 0)  # one plan, kept for every value, never planned again for one
    # A new session (the connection lost, or its lifetime over) has none of the old one's statements.
    connection.close()
    with CaptureQueriesContext(connection) as sent:
        assert read.rows(tree.ward_a.pk, Organisation.Kind.CELL) == list(_read(tree.ward_a.pk, Organisation.Kind.CELL))
    assert sent[0]["sql"].startswith("PREPARE")
    settings.CHIBO = {**settings.CHIBO, "PREPARED_STATEMENTS": False}
    with CaptureQueriesContext(connection) as sent:
        assert read.rows(tree.city.pk, Organisation.Kind.WARD) == expected
    assert sent[0]["sql"].startswith("SELECT")
