"""Factories for tests. Organisations are built through treebeard (add_root/add_child), never by path."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from members.models import Member, Organisation, Role


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password("chibo-test-2026")


class MemberFactory(factory.django.DjangoModelFactory[Member]):
    class Meta:
        model = Member

    full_name = factory.Faker("name", locale="vi_VN")
    sex = Member.Sex.FEMALE
    birth_date = dt.date(1970, 5, 17)
    admitted_on = dt.date(2000, 3, 2)
    official_on = dt.date(2001, 3, 2)
    phone = factory.Sequence(lambda n: f"09{n:08d}")


def make_org(name: str, kind: str, parent: Organisation | None = None, code: str | None = None) -> Organisation:
    fields = {"name": name, "kind": kind, "code": code or name.upper().replace(" ", "-")}
    return Organisation.objects.add_child(parent, fields) if parent else Organisation.objects.add_root(fields)


def grant(user, kind: str, org: Organisation | None) -> Role:
    return Role.objects.create(user=user, kind=kind, organisation=org)
