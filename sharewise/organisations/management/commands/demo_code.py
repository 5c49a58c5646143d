from django.core.management.base import BaseCommand, CommandError

from sharewise.organisations import demo


class Command(BaseCommand):
    help = "Print the code a demo account's authenticator shows now (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="a demo sign-in, for example lead")

    def handle(self, *args, username, **options):
        code = demo.demo_code(username)
        if code is None:
            raise CommandError(
                f"{username} is not a demo account with a demo authenticator: "
                "only lead, dpo, auditor and admin in the demo have one."
            )
        self.stdout.write(code)
