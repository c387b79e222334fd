"""The dashboards' models moved out of resolutions with their tables and their data.

A database at the schema before the move (resolutions at 0020, no dashboards app) gets rows through the old
models of the resolutions app; migrated forward, the same rows read through ``dashboards.models``, and the content
types (hence the permissions) follow the models; migrated back, they read through the old models again. Neither
model keeps a change history, so there are no history rows to follow. The version tokens moved on to the members
app (``members.OrganisationVersion``, the same table) later, and are read through it once migrated forward.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dashboards.models import SummaryReport
from members.models import Organisation, OrganisationVersion
from tests.factories import make_org

OLD = [("resolutions", "0020_task_lead_is_not_follower"), ("dashboards", None)]
MOVED = ("dashboardversion", "summaryreport", "organisationversion")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    state_nodes = [node for node in targets if node[1] is not None]  # the old state: resolutions at 0020
    return MigrationExecutor(connection).loader.project_state(state_nodes).apps


def _labels() -> dict[str, str]:
    return dict(ContentType.objects.filter(model__in=MOVED).values_list("model", "app_label"))


@pytest.mark.django_db(transaction=True)
def test_the_rows_written_before_the_move_read_through_the_new_models_and_back() -> None:
    ward = make_org("Phường Phú Khương", Organisation.Kind.WARD, code="PK")
    ContentType.objects.get_for_model(SummaryReport)  # made by post_migrate in a real database
    ContentType.objects.get_for_model(OrganisationVersion)
    permission_ids = set(Permission.objects.filter(content_type__model__in=MOVED).values_list("pk", flat=True))
    try:
        old = _migrate(OLD)
        assert _labels() == {"dashboardversion": "resolutions", "summaryreport": "resolutions"}
        OldReport = old.get_model("resolutions", "SummaryReport")
        OldVersion = old.get_model("resolutions", "DashboardVersion")
        report = OldReport.objects.create(
            org_id=ward.pk, month=dt.date(2026, 3, 1), version=2, pdf_version=2, state="ready", number="12-BC/ĐU"
        )
        OldVersion.objects.update_or_create(path=ward.path, defaults={"token": "a" * 32})  # made with the ward

        _migrate(None)
        assert _labels() == {"organisationversion": "members", "summaryreport": "dashboards"}
        moved = SummaryReport.objects.get(pk=report.pk)
        assert (moved.org, moved.month, moved.version, moved.state, moved.number) == (
            ward,
            dt.date(2026, 3, 1),
            2,
            SummaryReport.PdfState.READY,
            "12-BC/ĐU",
        )
        assert OrganisationVersion.objects.get(path=ward.path).token == "a" * 32
        # The permissions are the same rows, now under the dashboards app (the versions' under members).
        assert (
            set(
                Permission.objects.filter(
                    content_type__app_label__in=["dashboards", "members"], content_type__model__in=MOVED
                ).values_list("pk", flat=True)
            )
            == permission_ids
        )
        assert (
            ContentType.objects.get_for_id(
                Permission.objects.get(codename="view_summaryreport").content_type_id
            ).model_class()
            is SummaryReport
        )

        old = _migrate(OLD)
        assert _labels() == {"dashboardversion": "resolutions", "summaryreport": "resolutions"}
        assert old.get_model("resolutions", "SummaryReport").objects.get(pk=report.pk).number == "12-BC/ĐU"
        assert old.get_model("resolutions", "DashboardVersion").objects.get(path=ward.path).token == "a" * 32
    finally:
        _migrate(None)
    assert _labels() == {"organisationversion": "members", "summaryreport": "dashboards"}
