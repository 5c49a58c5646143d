from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import trail
from sharewise.organisations.models import ApiToken


class Command(BaseCommand):
    help = (
        "Create an API token for a user and print it once. It has exactly the user's permissions."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Created on the command line")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {username!r}.")
        token, secret = ApiToken.issue(user, name)
        trail.record(
            actor=None,
            action="created API token",
            object_type="api token",
            object_id=token.pk,
            detail={"for": user.username, "via": "command line"},
        )
        trail.seal_pending()
        self.stdout.write(secret)
