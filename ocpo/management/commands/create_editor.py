"""manage.py create_editor: a staff user in the editors group, with an API token."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from ocpo.editors import editors_group_sync


class Command(BaseCommand):
    help = "Create (or promote) an editor: staff, in the editors group, with an API token."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-env",
            default="OCPO_EDITOR_PASSWORD",
            help="Environment variable holding the password (asked for when unset).",
        )

    def handle(self, *args, username, email, password_env, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        password = os.environ.get(password_env)
        if created and not password:
            if not os.isatty(0):
                raise CommandError(f"Set {password_env} to give the new editor a password.")
            password = getpass.getpass(f"Password for {username}: ")
        if password:
            user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(editors_group_sync())
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(
            f"{'Created' if created else 'Updated'} editor {username}. API token: {token.key}"
        )
