"""``manage.py reset_two_factor <username>``: someone lost their phone and their recovery codes."""

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.two_factor import must_use, remove_devices

logger = logging.getLogger("chibo.accounts")


class Command(BaseCommand):
    help = (
        "Remove the phone and the recovery codes of an account. Its next login asks for its password only, then "
        "(when its role requires two-factor sign-in) sends it to set up a new phone before anything else."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        removed = remove_devices(user)
        logger.warning("two-factor sign-in reset for user %s (%s): %d device(s) removed", user.pk, username, removed)
        after = "must set up a new phone at the next login" if must_use(user) else "signs in with the password alone"
        self.stdout.write(f"{username}: {removed} device(s) removed; {after}.")
