"""The ground floor: the organisation tree, party members with their status history, and roles."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from chibo.lib.changes import NotifiesChanges
from chibo.lib.crypto import EncryptedCharField, keyed_hash, mask
from chibo.lib.text import normalize, search_key
from members import rules
from members.rules import (
    ENDING_SOON_DAYS,
    Probation,
    latest_admission_listed,
    member_dates_errors,
    member_status,
    official_date_error,
    probation,
    public_holidays,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from members.access import Access


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------------------------------------------
# The organisation tree
# ---------------------------------------------------------------------------------------------------


class OrganisationQuerySet(MP_NodeQuerySet):
    def cells(self) -> OrganisationQuerySet:
        return self.filter(kind=Organisation.Kind.CELL)

    def under(self, org: Organisation) -> OrganisationQuerySet:
        """The organisation and everything below it, in one indexed prefix query."""
        return self.filter(path__startswith=org.path)

    def visible_to(self, access: Access) -> OrganisationQuerySet:
        return self.filter(access.org_filter())


class OrganisationManager(MP_NodeManager):
    def get_queryset(self) -> OrganisationQuerySet:
        return OrganisationQuerySet(self.model).order_by("path")

    def cells(self) -> OrganisationQuerySet:
        return self.get_queryset().cells()

    def under(self, org: Organisation) -> OrganisationQuerySet:
        return self.get_queryset().under(org)

    def visible_to(self, access: Access) -> OrganisationQuerySet:
        return self.get_queryset().visible_to(access)


class Organisation(MP_Node):
    """A party organisation at any level: committees above, cells, party groups inside a cell.

    A materialised path (``path``) makes "everything under X" one indexed prefix query at any depth,
    so the two-level local government of 2025 needs no change of code.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Provincial / city party committee")
        WARD = "ward", _("Commune / ward party committee")
        CELL = "cell", _("Party cell")
        GROUP = "group", _("Party group")

    kind: models.CharField[str, str] = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name: models.CharField[str, str] = models.CharField(_("name"), max_length=200)
    code: models.CharField[str, str] = models.CharField(_("code"), max_length=40, unique=True)
    place_name: models.CharField[str, str] = models.CharField(
        _("place name"),
        max_length=100,
        blank=True,
        help_text=_('Shown before the date on documents, e.g. "Phú Khương".'),
    )
    former_names: models.CharField[str, str] = models.CharField(
        _("former names"),
        max_length=300,
        blank=True,
        help_text=_("Names and codes used before the 2025 merger of administrative units."),
    )
    history = HistoricalRecords()

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_cell(self) -> bool:
        return self.kind == self.Kind.CELL

    def clean(self) -> None:
        self.name = normalize(self.name)
        self.code = self.code.strip().upper()

    def ancestor_paths(self) -> list[str]:
        """Paths of this node and every ancestor, root first, computed without a query."""
        step = self.steplen
        return [self.path[: step * i] for i in range(1, len(self.path) // step + 1)]


class OrganisationVersion(models.Model):
    """A token per organisation path, renewed by every write of what the pages show under it
    (``members.versions``): what is cached under an organisation is keyed by its token."""

    path = models.CharField(max_length=255, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        # Made by the resolutions app for the dashboards, before the pages of every app were cached by it.
        db_table = "resolutions_dashboardversion"
        verbose_name = "organisation version"

    def __str__(self) -> str:
        return f"{self.path}: {self.token}"


class ResidentialGroup(models.Model):
    """A residents' self-managed group (tổ tự quản / tổ nhân dân) in the hamlet of a cell."""

    cell = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="residential_groups",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("cell"),
    )
    name = models.CharField(_("name"), max_length=100)
    objects = NotifiesChanges["ResidentialGroup"].as_manager()

    class Meta:
        verbose_name = _("residential group")
        verbose_name_plural = _("residential groups")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="residential_group_unique_name")]

    def __str__(self) -> str:
        return self.name


class Background(models.Model):
    """A background that matters for the propagandist force: retired cadre, veteran, teacher, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("background")
        verbose_name_plural = _("backgrounds")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------------------------------

phone_validator = RegexValidator(
    r"^(?:0|\+84)(?:[35789]\d{8}|2\d{9})$",
    _("Enter a Vietnamese phone number, e.g. 0912 345 678 or 0275 3822 123."),
)
citizen_id_validator = RegexValidator(r"^\d{12}$", _("A citizen ID (CCCD) has exactly 12 digits."))
DUPLICATE_CITIZEN_ID = _("Another member already has this citizen ID.")


def normalize_citizen_id(value: str | None) -> str | None:
    """The citizen ID as stored: its characters without spaces; None when empty."""
    value = "".join((value or "").split())
    return value or None


def citizen_id_key(value: str | None) -> str | None:
    """The keyed hash by which a citizen ID is found (``Member.citizen_id_hash``); None for no citizen ID."""
    value = normalize_citizen_id(value)
    return keyed_hash(value) if value else None


def _current_period(model: type[Period], day: dt.date, *, per_member: bool) -> Exists | Coalesce:
    """Whether the member has a period of ``model`` current on ``day`` (``MemberQuerySet.with_flags``)."""
    periods = model.objects.filter(member=OuterRef("pk")).current_on(day).order_by()  # type: ignore[misc]  # each concrete period has its member, unknown to the abstract model
    if not per_member:
        return Exists(periods)
    # A scalar subquery is run row by row: PostgreSQL never hashes it as it may an EXISTS.
    return Coalesce(Subquery(periods.values(found=Value(True))[:1]), Value(False), output_field=models.BooleanField())


class MemberQuerySet(NotifiesChanges["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(management_status=Member.ManagementStatus.ACTIVE)

    def on_roll(self, day: dt.date) -> MemberQuerySet:
        """Members of the cell on ``day``: admitted by then and not yet gone (transferred out, left, died)."""
        return self.filter(admitted_on__lte=day).filter(Q(left_on__isnull=True) | Q(left_on__gt=day))

    def in_org(self, org: Organisation, *, on: dt.date | None = None) -> MemberQuerySet:
        """Members of the organisation's cells; with ``on``, of the cells they belonged to on that day.

        A member transferred between cells belongs, before the transfer's date, to the cell they came from:
        the ``from_cell`` of their first transfer after ``on``, or else their present cell.
        """
        if on is None:
            return self.filter(cell__path__startswith=org.path)
        later = MemberEvent.objects.filter(member=OuterRef("pk"), kind=MemberEvent.Kind.TRANSFERRED, on__gt=on)
        came_from = MemberEvent.objects.filter(
            kind=MemberEvent.Kind.TRANSFERRED, on__gt=on, from_cell__path__startswith=org.path
        ).values("member_id")
        # The members now under the organisation and those transferred out of it since: a UNION, which each side
        # reads through its index (an OR of the two made PostgreSQL scan every member of the province).
        now_under = self.model._default_manager.filter(cell__path__startswith=org.path).order_by().values("pk")
        candidates = now_under.union(came_from.order_by())
        return (
            self.filter(pk__in=candidates)
            .annotate(
                cell_path_on=Coalesce(
                    Subquery(later.order_by("on", "pk").values("from_cell__path")[:1]), F("cell__path")
                )
            )
            .filter(cell_path_on__startswith=org.path)
        )

    def in_cell(self, cell: Organisation, *, on: dt.date | None = None) -> MemberQuerySet:
        """The cell's members now, or with ``on`` the members it had on that day (see ``in_org``)."""
        return self.filter(cell=cell) if on is None else self.in_org(cell, on=on)

    def visible_to(self, access: Access) -> MemberQuerySet:
        return self.filter(access.member_filter())

    def official_on(self, day: dt.date) -> MemberQuerySet:
        return self.filter(official_on__lte=day)

    def probationary_on(self, day: dt.date) -> MemberQuerySet:
        return self.filter(admitted_on__lte=day).filter(Q(official_on__isnull=True) | Q(official_on__gt=day))

    def probation_ending(self, day: dt.date, within_days: int = ENDING_SOON_DAYS) -> MemberQuerySet:
        """Members on the roll not yet recognised as official whose probation ends by ``day`` + ``within_days``,
        those whose probation has already ended included."""
        latest = latest_admission_listed(day, within_days)
        return self.active().filter(official_on__isnull=True, admitted_on__lte=latest)

    def without_identity_numbers(self) -> MemberQuerySet:
        """For long reads that show neither the citizen ID nor the party card number (the exports): the two
        encrypted values are not read, so not decrypted row by row."""
        return self.defer("citizen_id", "party_card_number")

    def with_citizen_id(self, citizen_id: str) -> MemberQuerySet:
        """The member whose citizen ID this is (the value is encrypted: it is found through its keyed hash)."""
        key = citizen_id_key(citizen_id)
        return self.filter(citizen_id_hash=key) if key else self.none()

    def with_flags(self, day: dt.date | None = None, *, per_member: bool = False) -> MemberQuerySet:
        """Annotate ``is_exempt`` and ``is_away`` on ``day`` (today by default) as subqueries.

        As ``EXISTS``, PostgreSQL may answer them by hashing every current exemption and away period of the
        province, once: the better plan for a ward's or the province's members, but one whose cost grows with the
        province and its history. ``per_member`` is for a set of a known, small size (a cell's roll): each
        member's own periods are looked up through their index on the member, a cost that follows the set alone.
        """
        day = day or today()
        return self.annotate(
            is_exempt=_current_period(Exemption, day, per_member=per_member),
            is_away=_current_period(AwayPeriod, day, per_member=per_member),
        )

    def with_status_flags(self, day: dt.date) -> MemberQuerySet:
        """``with_flags`` plus ``is_transferred`` (temporary transfer) and ``is_suspended`` on ``day``."""
        return self.with_flags(day).annotate(
            is_transferred=Exists(
                AwayPeriod.objects.filter(member=OuterRef("pk"), kind=AwayPeriod.Kind.TEMPORARY_TRANSFER).current_on(
                    day
                )
            ),
            is_suspended=Exists(Suspension.objects.filter(member=OuterRef("pk")).current_on(day)),
        )

    def search(self, text: str) -> MemberQuerySet:
        """Accent-insensitive: every word typed must appear in the name, with or without diacritics. Twelve
        digits (spaces allowed) are a citizen ID, found through its keyed hash."""
        digits = normalize_citizen_id(text) or ""
        if len(digits) == 12 and digits.isdigit():
            return self.with_citizen_id(digits)
        qs = self
        for word in search_key(text).split():
            qs = qs.filter(search_name__contains=word)
        return qs


class Member(models.Model):
    class Sex(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Status(models.TextChoices):  # the values members.rules.member_status returns
        OFFICIAL = rules.OFFICIAL, _("Official")
        PROBATIONARY = rules.PROBATIONARY, _("Probationary")

    class ManagementStatus(models.TextChoices):
        ACTIVE = "active", _("Being managed")
        TRANSFERRED_OUT = "transferred_out", _("Transferred out")
        LEFT = "left", _("Left the party")
        DECEASED = "deceased", _("Deceased")

    full_name = models.CharField(_("full name"), max_length=120)
    search_name = models.CharField(max_length=120, editable=False, db_index=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=16, blank=True, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    # Encrypted at rest (chibo.lib.crypto); found and kept unique through citizen_id_hash, set by save().
    citizen_id = EncryptedCharField(
        _("citizen ID (CCCD)"), max_length=12, null=True, blank=True, validators=[citizen_id_validator]
    )
    citizen_id_hash = models.CharField(max_length=64, null=True, unique=True, editable=False)
    party_card_number = EncryptedCharField(_("party card number"), max_length=20, blank=True)
    admitted_on = models.DateField(_("party admission date"))
    official_on = models.DateField(
        _("official date"),
        null=True,
        blank=True,
        help_text=_("Leave empty while the member is probationary."),
    )
    cell = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="members",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("party cell"),
    )
    party_group = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        limit_choices_to={"kind": Organisation.Kind.GROUP},
        verbose_name=_("party group"),
    )
    residential_group = models.ForeignKey(
        ResidentialGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("residential group"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    backgrounds = models.ManyToManyField(Background, blank=True, verbose_name=_("backgrounds"))
    is_propagandist = models.BooleanField(_("propagandist"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("login account"),
    )
    management_status = models.CharField(
        _("management status"),
        max_length=20,
        choices=ManagementStatus.choices,
        default=ManagementStatus.ACTIVE,
    )
    left_on = models.DateField(_("date left"), null=True, blank=True)
    left_note = models.CharField(_("note on leaving"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The day the retention rule erased the identifying data (members/rules.py, identity_erased_from).
    identity_erased_on = models.DateField(_("identifying data erased on"), null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[backgrounds])

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["cell", "search_name", "pk"]
        indexes = [
            models.Index(fields=["cell", "management_status"]),
            # The members on the roll in name order, as the member search lists them: a page of the names that
            # match is found in the index alone (the names before it are passed over without reading the table).
            models.Index(
                fields=["search_name", "id"], condition=Q(management_status="active"), name="member_on_roll_by_name"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name = normalize(self.full_name)
        self.search_name = search_key(self.full_name)
        if "citizen_id" not in self.get_deferred_fields():  # not read, not written: its hash stands
            self.citizen_id = normalize_citizen_id(self.citizen_id)
            self.citizen_id_hash = citizen_id_key(self.citizen_id)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            if "full_name" in update_fields:
                update_fields = {*update_fields, "search_name"}
            if "citizen_id" in update_fields:
                update_fields = {*update_fields, "citizen_id_hash"}
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)

    def validate_unique(self, exclude: Any = None) -> None:
        """The citizen ID is unique through its keyed hash (the encrypted values differ even for equal IDs)."""
        errors: dict[str, list[Any]] = {}
        try:
            super().validate_unique(exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        checked = "citizen_id" not in (exclude or ()) and "citizen_id" not in errors
        key = citizen_id_key(self.citizen_id) if checked else None
        if key and Member.objects.filter(citizen_id_hash=key).exclude(pk=self.pk).exists():
            errors["citizen_id"] = [ValidationError(DUPLICATE_CITIZEN_ID, code="unique")]
        if errors:
            raise ValidationError(errors)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        self.full_name = normalize(self.full_name)
        now = today()
        if self.birth_date and self.birth_date > now:
            errors["birth_date"] = _("The birth date cannot be in the future.")
        if self.admitted_on and self.admitted_on > now:
            errors["admitted_on"] = _("The admission date cannot be in the future.")
        errors.update(member_dates_errors(self.birth_date, self.admitted_on, self.official_on))
        if self.official_on and self.official_on > now:
            errors["official_on"] = _("The official date cannot be in the future.")
        if self.cell_id:
            cell = self.cell
            if cell.kind != Organisation.Kind.CELL:
                errors["cell"] = _("Choose a party cell.")
            elif self.party_group and not self.party_group.path.startswith(cell.path):
                errors["party_group"] = _("The party group must belong to the member's cell.")
            if self.residential_group and self.residential_group.cell_id != self.cell_id:
                errors["residential_group"] = _("The residential group must belong to the member's cell.")
        if self.management_status != self.ManagementStatus.ACTIVE and not self.left_on:
            errors["left_on"] = _("Enter the date the member left.")
        if errors:
            raise ValidationError(errors)

    def identity_numbers(self, *, full: bool) -> dict[str, str]:
        """The citizen ID and the party card number as a page or a file shows them: in full, or masked for those
        who see the record without managing the member (``Access.can_see_identity_numbers``)."""
        citizen_id, card = self.citizen_id or "", self.party_card_number or ""
        if full:
            return {"citizen_id": citizen_id, "party_card_number": card}
        return {"citizen_id": mask(citizen_id), "party_card_number": mask(card)}

    def status_on(self, day: dt.date | None = None) -> str | None:
        """Official or probationary on ``day``; None before admission or after leaving."""
        status = member_status(self.admitted_on, self.official_on, self.left_on, day or today())
        return self.Status(status) if status else None

    @property
    def status(self) -> str | None:
        return self.status_on()

    def get_status_display(self) -> str:
        status = self.status
        return str(self.Status(status).label) if status else str(self.get_management_status_display())

    @property
    def is_active(self) -> bool:
        return self.management_status == self.ManagementStatus.ACTIVE


_PeriodT = TypeVar("_PeriodT", bound="Period")


class PeriodQuerySet(NotifiesChanges[_PeriodT]):
    def current_on(self, day: dt.date) -> PeriodQuerySet[_PeriodT]:
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Period(models.Model):
    """A dated stretch of a member's status; open-ended while ``ends_on`` is empty."""

    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    member_id: int  # each concrete period's foreign key to its member

    objects = PeriodQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-starts_on"]

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        if self.starts_on and self.member_id:
            # A field of each concrete period, unknown to the abstract model the checker sees.
            others = type(self).objects.filter(member_id=self.member_id).exclude(pk=self.pk)  # type: ignore[misc]  # see above
            end = self.ends_on or dt.date.max
            overlapping = others.filter(starts_on__lte=end).filter(
                Q(ends_on__isnull=True) | Q(ends_on__gte=self.starts_on)
            )
            if overlapping.exists():
                raise ValidationError(_("This period overlaps another one already recorded for the member."))

    def is_current(self, day: dt.date | None = None) -> bool:
        day = day or today()
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Exemption(Period):
    """Exemption from cell activities (miễn sinh hoạt): old age or long illness, by a cell resolution."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="exemptions", verbose_name=_("member"))
    reason = models.CharField(_("reason"), max_length=300)
    decision = models.CharField(_("decided by"), max_length=200, blank=True, help_text=_("The cell resolution."))
    history = HistoricalRecords()

    class Meta(Period.Meta):
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")

    def __str__(self) -> str:
        return f"{self.member} ({self.starts_on:%d/%m/%Y})"


class AwayPeriod(Period):
    """Working away or living elsewhere (đi làm ăn xa, ngụ nơi khác), or a temporary transfer."""

    class Kind(models.TextChoices):
        WORKING_AWAY = "working_away", _("Working away / living elsewhere")
        TEMPORARY_TRANSFER = "temporary_transfer", _("Temporarily transferred")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="away_periods", verbose_name=_("member"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.WORKING_AWAY)
    place = models.CharField(_("where"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta(Period.Meta):
        verbose_name = _("away period")
        verbose_name_plural = _("away periods")

    def __str__(self) -> str:
        return f"{self.member} – {self.place} ({self.starts_on:%d/%m/%Y})"


class Suspension(Period):
    """Suspension from party activities (đình chỉ sinh hoạt): not counted among the entitled voters."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("member"))
    reason = models.CharField(_("reason"), max_length=300)
    history = HistoricalRecords()

    class Meta(Period.Meta):
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")

    def __str__(self) -> str:
        return f"{self.member} ({self.starts_on:%d/%m/%Y})"


class Discipline(models.Model):
    """A disciplinary decision against a member (kỷ luật: khiển trách, cảnh cáo, cách chức, khai trừ), with its date.
    The yearly evaluation weighs a decision of the year against a proposal of "excellent" or "well completed"."""

    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Reprimand")
        WARNING = "warning", _("Warning")
        DISMISSAL = "dismissal", _("Dismissal from post")
        EXPULSION = "expulsion", _("Expulsion")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="disciplines", verbose_name=_("member"))
    form = models.CharField(_("form of discipline"), max_length=20, choices=Form.choices)
    decided_on = models.DateField(_("decided on"))
    decision = models.CharField(_("decision"), max_length=200, blank=True, help_text=_("Its number and the body."))
    reason = models.CharField(_("reason"), max_length=300)
    objects = NotifiesChanges["Discipline"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discipline")
        verbose_name_plural = _("disciplines")
        ordering = ["-decided_on", "pk"]
        indexes = [models.Index(fields=["member", "decided_on"])]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_form_display()} ({self.decided_on:%d/%m/%Y})"


class MemberEvent(models.Model):
    """One dated change of a member's status, as recorded: the member page's timeline.

    A transfer between cells is also what the roll of a past day is read from (``MemberQuerySet.in_org``):
    from ``on`` the member belongs to ``to_cell``, before it to ``from_cell``.
    """

    class Kind(models.TextChoices):
        OFFICIAL = "official", _("Recognised as an official member")
        EXEMPTED = "exempted", _("Exempted from activities")
        EXEMPTION_ENDED = "exemption_ended", _("Exemption ended")
        AWAY = "away", _("Away / temporarily transferred")
        BACK = "back", _("Back in the cell's activities")
        TRANSFERRED = "transferred", _("Transferred to another cell")
        LEFT = "left", _("Left the cell's roll")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events", verbose_name=_("member"))
    kind = models.CharField(_("change"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    from_cell = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from cell")
    )
    to_cell = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to cell")
    )
    decision = models.CharField(_("decision"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    objects = NotifiesChanges["MemberEvent"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["member", "on", "pk"]
        indexes = [
            models.Index(fields=["member", "kind", "on"]),
            models.Index(fields=["from_cell", "kind", "on"]),
        ]

    def __str__(self) -> str:
        return f"{self.member} – {self.get_kind_display()} ({self.on:%d/%m/%Y})"

    def clean(self) -> None:
        official = self.kind == self.Kind.OFFICIAL and self.on and self.member_id
        if official and (error := official_date_error(self.member.admitted_on, self.on)):
            raise ValidationError({"on": error})


class MassOrganisation(models.Model):
    """A mass organisation of the hamlet (đoàn thể) that can lead a task or be told of a resolution."""

    class Kind(models.TextChoices):
        FATHERLAND_FRONT = "front", _("Fatherland Front")
        WOMEN = "women", _("Women's Union")
        FARMERS = "farmers", _("Farmers' Association")
        VETERANS = "veterans", _("Veterans' Association")
        YOUTH = "youth", _("Youth Union")
        OTHER = "other", _("Other")

    cell = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="mass_organisations",
        limit_choices_to={"kind": Organisation.Kind.CELL},
        verbose_name=_("cell"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    objects = NotifiesChanges["MassOrganisation"].as_manager()

    class Meta:
        verbose_name = _("mass organisation")
        verbose_name_plural = _("mass organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["cell", "name"], name="mass_organisation_unique_name")]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------------------------------


class Role(models.Model):
    """A role a login account holds in one organisation. One account may hold several."""

    class Kind(models.TextChoices):
        ADMIN = "admin", _("Administrator")
        STANDING = "standing", _("Standing committee")
        IN_CHARGE = "in_charge", _("Committee member in charge")
        SECRETARY = "secretary", _("Secretary")
        DEPUTY = "deputy", _("Deputy secretary")
        COMMITTEE = "committee", _("Cell committee member")
        # The secretary and deputy of a party committee (a ward's "Bí thư, Phó Bí thư Đảng ủy"): they sign the
        # committee's documents and see everything under it, like the standing committee; they manage no cell.
        PARTY_SECRETARY = "party_secretary", _("Secretary of the party committee")
        PARTY_DEPUTY = "party_deputy", _("Deputy secretary of the party committee")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("account")
    )
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="roles",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
        help_text=_("Empty only for an administrator of the whole system."),
    )
    objects = NotifiesChanges["Role"].as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["organisation__path", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "organisation"], name="role_unique_per_org"),
            models.CheckConstraint(
                condition=Q(kind="admin") | Q(organisation__isnull=False), name="role_needs_organisation"
            ),
        ]

    def __str__(self) -> str:
        if self.organisation_id:
            return f"{self.get_kind_display()} – {self.organisation}"
        return str(self.get_kind_display())

    CELL_KINDS = (Kind.SECRETARY, Kind.DEPUTY, Kind.COMMITTEE, Kind.IN_CHARGE)
    # Who signs an organisation's documents: (the head's kind, the deputy's kind), for a cell and for a committee.
    SIGNERS = {True: (Kind.SECRETARY, Kind.DEPUTY), False: (Kind.PARTY_SECRETARY, Kind.PARTY_DEPUTY)}

    def clean(self) -> None:
        if self.kind != self.Kind.ADMIN and not self.organisation_id:
            raise ValidationError({"organisation": _("Choose the organisation of this role.")})
        if self.kind in self.CELL_KINDS and self.organisation and not self.organisation.is_cell:
            raise ValidationError({"organisation": _("This role belongs to a party cell.")})
        if (
            self.kind == self.Kind.STANDING
            and self.organisation
            and self.organisation.kind
            in (
                Organisation.Kind.CELL,
                Organisation.Kind.GROUP,
            )
        ):
            raise ValidationError({"organisation": _("A standing committee belongs to a party committee.")})
        if (
            self.kind in (self.Kind.PARTY_SECRETARY, self.Kind.PARTY_DEPUTY)
            and self.organisation
            and self.organisation.kind in (Organisation.Kind.CELL, Organisation.Kind.GROUP)
        ):
            raise ValidationError({"organisation": _("This role belongs to a party committee.")})


def office_holders(org: Organisation) -> tuple[str, str]:
    """The names of the organisation's secretary and deputy secretary ("" when nobody holds the office), from the
    member records of the accounts holding the roles, in one query: those who sign its documents."""
    head, deputy = Role.SIGNERS[org.is_cell]
    names = dict(
        Member.objects.filter(user__roles__organisation=org, user__roles__kind__in=(head, deputy))
        .order_by("-pk")  # the first holder by id wins, as dict() keeps the last pair of a kind
        .values_list("user__roles__kind", "full_name")
    )
    return names.get(head, ""), names.get(deputy, "")


class DocumentSequence(models.Model):
    """The last number an organisation gave to its documents of one kind in one year: "Số 12-BC/ĐU" is the
    twelfth report of the ward's committee that year. ``draw`` takes the next one under a lock."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="document_sequences", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind of document"), max_length=8)  # "BC": báo cáo
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document number sequence")
        verbose_name_plural = _("document number sequences")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "year"], name="document_sequence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.year}: {self.last}"

    def clean(self) -> None:
        """The last number may be raised (reports issued before the product was used), never lowered: a number
        once given is never given again."""
        before = type(self).objects.filter(pk=self.pk).values_list("last", flat=True).first() if self.pk else None
        if before is not None and self.last < before:
            message = _("Number %(before)d has already been given; the last number cannot go back to %(last)d.")
            raise ValidationError({"last": message % {"before": before, "last": self.last}})

    @classmethod
    @transaction.atomic
    def draw(cls, *, organisation: Organisation, kind: str, year: int) -> int:
        """The next number of the run. The organisation's row is locked first, so two drawings at once (even the
        first of a year, when the sequence's row does not exist yet) queue and never share a number."""
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        sequence, _created = cls.objects.select_for_update().get_or_create(
            organisation=organisation, kind=kind, year=year
        )
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return sequence.last


def status_counts(members: MemberQuerySet, day: dt.date | None = None) -> dict[str, int]:
    """Counts by status on ``day`` of the active members in ``members``, in one query (``roll_counts``: the same
    counts over a cell's roll already read)."""
    day = day or today()
    return (
        members.active()
        .with_flags(day)
        .aggregate(
            total=Count("pk"),
            official=Count("pk", filter=Q(official_on__lte=day)),
            probationary=Count("pk", filter=Q(official_on__isnull=True) | Q(official_on__gt=day)),
            exempt=Count("pk", filter=Q(is_exempt=True)),
            away=Count("pk", filter=Q(is_away=True)),
            propagandists=Count("pk", filter=Q(is_propagandist=True)),
        )
    )


def cell_roll(cell: Organisation, day: dt.date) -> list[dict[str, Any]]:
    """The cell's active members as its page lists them, in name order, in one query: the columns shown
    (``group``: the residential group's name, "" for none), the flags on ``day`` (``with_flags``) and the
    ``status`` on that day (``rules.member_status``), worked out once per member. Plain rows, no model instances:
    nothing is decrypted."""
    rows = list(
        Member.objects.in_cell(cell)
        .active()
        .with_flags(day, per_member=True)
        .order_by("search_name", "pk")
        .values(  # type: ignore[misc]  # is_exempt and is_away are annotated by with_flags, unknown to the checker
            "pk",
            "full_name",
            "phone",
            "admitted_on",
            "official_on",
            "left_on",
            "is_propagandist",
            "is_exempt",
            "is_away",
            # Looked up member by member, as the flags: a join would hash every residential group of the province.
            group=Subquery(ResidentialGroup.objects.filter(pk=OuterRef("residential_group_id")).values("name")),
        )
    )
    for row in rows:
        row["status"] = member_status(row["admitted_on"], row["official_on"], row["left_on"], day)
        row["group"] = row["group"] or ""
    return rows


def roll_counts(roll: list[dict[str, Any]], day: dt.date) -> dict[str, int]:
    """``status_counts`` of a cell, counted over its roll (``cell_roll`` on the same ``day``) without a query."""
    official = sum(1 for row in roll if row["official_on"] is not None and row["official_on"] <= day)
    return {
        "total": len(roll),
        "official": official,
        "probationary": len(roll) - official,
        "exempt": sum(1 for row in roll if row["is_exempt"]),
        "away": sum(1 for row in roll if row["is_away"]),
        "propagandists": sum(1 for row in roll if row["is_propagandist"]),
    }


def roll_probations(roll: list[dict[str, Any]], day: dt.date) -> list[tuple[dict[str, Any], Probation]]:
    """``ending_probation`` of a cell, picked from its roll (``cell_roll``, active members in name order) without a
    query: the members not yet official admitted by ``rules.latest_admission_listed``, the earliest end first."""
    latest = latest_admission_listed(day)
    rows = [row for row in roll if row["official_on"] is None and row["admitted_on"] <= latest]
    rows.sort(key=lambda row: row["admitted_on"])  # a stable sort: in name order within a day, as the query's
    holidays = public_holidays()
    return [(row, probation(row["admitted_on"], day, holidays)) for row in rows]


def ending_probation(
    members: MemberQuerySet, day: dt.date, *, limit: int | None = None
) -> list[tuple[Member, Probation]]:
    """The members whose probation ends soon (``MemberQuerySet.probation_ending``), each with its dates, the
    earliest end first; one query."""
    rows = (
        members.probation_ending(day)
        .select_related("cell")
        .only("full_name", "admitted_on", "cell__name")  # what the pages show: nothing encrypted is read
        .order_by("admitted_on", "search_name", "pk")
    )
    holidays = public_holidays()
    return [(member, probation(member.admitted_on, day, holidays)) for member in (rows[:limit] if limit else rows)]


# ---------------------------------------------------------------------------------------------------
# Personal data: who viewed and exported it (members/privacy.py writes and reads the log)
# ---------------------------------------------------------------------------------------------------


class PersonalDataAccess(models.Model):
    """One access to members' personal data: a full record opened (at most once an hour per person and member,
    ``rules.view_is_logged``), a member list exported (its scope and number of rows), one member's data exported,
    or the retention rule's erasure. Written by ``members.privacy``, never changed."""

    class Kind(models.TextChoices):
        VIEWED = "viewed", _("Viewed the full record")
        LIST_EXPORTED = "list_exported", _("Exported a member list")
        MEMBER_EXPORTED = "member_exported", _("Exported the member's data")
        ERASED = "erased", _("Erased identifying data (retention rule)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="data_accesses",
        verbose_name=_("party member"),
    )
    # A list export: the organisation it covered and its path then (the tree may move later).
    scope = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    scope_path = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["member", "at"]),
            models.Index(fields=["user", "member", "at"]),
            models.Index(fields=["kind", "scope_path", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y %H:%M}"
