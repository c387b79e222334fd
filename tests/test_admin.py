"""The Django admin is configured for every model, and each list page opens."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

MODELS = [
    m
    for app in ("members", "resolutions", "meetings", "dashboards", "notifications")
    for m in apps.get_app_config(app).get_models()
    if not m.__name__.startswith("Historical")
]


@pytest.mark.parametrize("model", MODELS, ids=[m.__name__ for m in MODELS])
def test_every_model_has_an_admin_page_that_opens(client, db, model) -> None:
    assert model in admin.site._registry, f"{model.__name__} is not in the admin"
    user = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
