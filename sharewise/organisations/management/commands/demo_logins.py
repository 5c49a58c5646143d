from django.core.management.base import BaseCommand

from sharewise.organisations import demo


class Command(BaseCommand):
    help = "Print the demo sign-ins."

    def handle(self, *args, **options):
        self.stdout.write("")
        self.stdout.write("Sharewise demo: http://127.0.0.1:8000")
        self.stdout.write(f"Every demo sign-in uses the password: {demo.DEMO_PASSWORD}")
        for login in demo.DEMO_LOGINS:
            self.stdout.write(
                f"  {login.username:<20} {login.first_name} {login.last_name}, {login.describes}"
            )
        self.stdout.write(
            "lead, dpo, auditor and admin then give a second factor: in another terminal,\n"
            "  .venv/bin/python manage.py demo_code lead\n"
            "prints the code their demo authenticator shows now (or add your own app or\n"
            "passkey under Sign-in and security; passkeys need http://localhost:8000)."
        )
        self.stdout.write("")
