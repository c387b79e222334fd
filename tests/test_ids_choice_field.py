"""Every form refuses, as a form error, an id no integer column holds (SafeInputMixin)."""

from __future__ import annotations

import pytest
from django import forms

from chibo.lib.forms import SafeInputMixin
from members.models import Member
from tests.factories import MemberFactory


class MembersForm(SafeInputMixin, forms.Form):
    members = forms.ModelMultipleChoiceField(queryset=Member.objects.all())


@pytest.mark.parametrize("posted", ["99999999999999999999", "-99999999999999999999", "abc"])
def test_an_id_beyond_any_column_is_a_form_error(tree, posted) -> None:
    MemberFactory.create(cell=tree.cell_a1)
    form = MembersForm({"members": [posted]})
    assert not form.is_valid()
    assert form.errors.as_data()["members"][0].code == "invalid_pk_value"


def test_real_ids_are_chosen(tree) -> None:
    first, second = MemberFactory.create(cell=tree.cell_a1), MemberFactory.create(cell=tree.cell_a1)
    form = MembersForm({"members": [str(first.pk), str(second.pk)]})
    assert form.is_valid()
    assert set(form.cleaned_data["members"]) == {first, second}
