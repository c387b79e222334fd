"""The cell's propagandist force (lực lượng tuyên truyền viên, báo cáo viên cơ sở).

An entry is a party member of the cell or a trusted non-member of the hamlet (a retired cadre, a veteran, a
teacher, a health worker, an elder, a religious dignitary), with the topics they speak on and the residential
groups they cover, for a dated stretch: an entry is ended, never deleted, so the roster keeps its history.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chibo.lib.changes import NotifiesChanges
from chibo.lib.text import normalize, search_key
from members.models import Member, Organisation, ResidentialGroup, phone_validator, today

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Topic(models.TextChoices):
    """What propagandists speak about in the hamlet: a short fixed list, so rosters can be compared."""

    POLICY = "policy", _("Party line and state policy")
    LAW = "law", _("Law")
    HEALTH = "health", _("Health")
    AGRICULTURE = "agriculture", _("Agriculture")
    PUBLIC_ORDER = "public_order", _("Security and public order")
    ENVIRONMENT = "environment", _("Environment")
    DIGITAL = "digital", _("Digital transformation")
    EDUCATION = "education", _("Education")
    CULTURE = "culture", _("Culture and society")


class PropagandistQuerySet(NotifiesChanges["Propagandist"]):
    def active_on(self, day: dt.date) -> PropagandistQuerySet:
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def search(self, text: str) -> PropagandistQuerySet:
        """Accent-insensitive: every word typed appears in the name (a member's name is read from the member)."""
        qs = self
        for word in search_key(text).split():
            qs = qs.filter(Q(search_name__contains=word) | Q(member__search_name__contains=word))
        return qs


class Propagandist(models.Model):
    class Group(models.TextChoices):
        RETIRED_CADRE = "retired_cadre", _("Retired cadre")
        VETERAN = "veteran", _("Veteran")
        TEACHER = "teacher", _("Teacher")
        HEALTH_WORKER = "health_worker", _("Health worker")
        ELDER = "elder", _("Respected elder")
        RELIGIOUS = "religious", _("Religious dignitary")
        MASS_ORGANISATION = "mass_organisation", _("Mass organisation cadre")
        OTHER = "other", _("Other")

    cell = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="propagandists",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("party cell"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="propagandist_entries",
        verbose_name=_("party member"),
        help_text=_("Leave empty for a person who is not a party member."),
    )
    full_name = models.CharField(_("full name"), max_length=120, blank=True)
    search_name = models.CharField(max_length=120, editable=False, blank=True)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[phone_validator])
    group = models.CharField(_("group"), max_length=20, choices=Group.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=150, blank=True)
    residential_group = models.ForeignKey(
        ResidentialGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lives in"),
    )
    areas = models.ManyToManyField(
        ResidentialGroup, blank=True, related_name="propagandists", verbose_name=_("residential groups covered")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = PropagandistQuerySet.as_manager()

    class Meta:
        verbose_name = _("propagandist")
        verbose_name_plural = _("propagandists")
        ordering = ["cell", "search_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(full_name=""), name="propagandist_member_or_name"
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ends_on__isnull=True),
                name="propagandist_one_open_entry_per_member",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name = normalize(self.full_name)
        self.search_name = search_key(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.member.full_name if self.member is not None else self.full_name

    @property
    def contact_phone(self) -> str:
        return self.phone or (self.member.phone if self.member is not None else "")

    @property
    def is_member(self) -> bool:
        return self.member_id is not None

    def is_active(self, day: dt.date | None = None) -> bool:
        day = day or today()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if not self.member_id and not normalize(self.full_name):
            errors["full_name"] = _("Enter the person's full name.")
        if self.cell_id and self.member is not None and self.member.cell_id != self.cell_id:
            errors["member"] = _("The member must belong to the cell.")
        if self.residential_group is not None and self.residential_group.cell_id != self.cell_id:
            errors["residential_group"] = _("The residential group must belong to the cell.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class PropagandistTopic(models.Model):
    """A topic an entry speaks on (one row per topic, so the roster filters by topic with an index)."""

    propagandist = models.ForeignKey(Propagandist, on_delete=models.CASCADE, related_name="topics")
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    objects = NotifiesChanges["PropagandistTopic"].as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["topic"]
        constraints = [models.UniqueConstraint(fields=["propagandist", "topic"], name="propagandist_topic_unique")]

    def __str__(self) -> str:
        return str(self.get_topic_display())
