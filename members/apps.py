from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"

    def ready(self) -> None:
        from members import checks  # noqa: F401  (registers the deploy checks)
        from members.personal_data import member_sections, register

        # What the members app holds about a member, for the member's data export (members/personal_data.py).
        register(*member_sections())
        from django.contrib.auth import get_user_model

        from members import models
        from members.versions import SELF, track

        # What the pages show under an organisation, each with its way to the organisation: a write renews the
        # organisation's cache token and those above it (members.versions).
        track(models.Organisation, SELF)
        # A member's name shows on their cell's pages and, with their role, where they hold one (a ward's member in
        # charge of a cell is on that cell's committee).
        track(models.Member, "cell__path", "user__roles__organisation__path", moves=True)
        track(models.ResidentialGroup, "cell__path")
        track(models.MassOrganisation, "cell__path")
        for period in (models.Exemption, models.AwayPeriod, models.Suspension, models.Discipline):
            track(period, "member__cell__path")
        track(models.MemberEvent, "member__cell__path", "from_cell__path", "to_cell__path")
        track(models.Role, "organisation__path")
        # A user's name shows on the pages of their cell and of where they hold a role.
        track(get_user_model(), "member__cell__path", "roles__organisation__path", ignored=("last_login", "password"))
