import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import trail
from sharewise.concerns import importing
from sharewise.organisations.models import Membership, Organisation, Role


class Command(BaseCommand):
    help = (
        "Import people and concerns from a CSV file (columns: docs/importing.md). Every row is "
        "checked first; if any is wrong, nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file, saved as CSV UTF-8")
        parser.add_argument("--organisation", required=True, help="organisation id or name")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="username of the safeguarding lead responsible for the import",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and save nothing"
        )
        parser.add_argument(
            "--progress-every", type=int, default=1000, help="print progress every N rows"
        )

    def handle(self, *args, **options):
        organisation = self._organisation(options["organisation"])
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}.")
        if not Membership.objects.filter(
            user=user, organisation=organisation, role=Role.SAFEGUARDING_LEAD
        ).exists():
            raise CommandError(
                f"{user.username} is not a safeguarding lead at {organisation.name}: only "
                "safeguarding leads may import."
            )
        path = options["file"]
        try:
            importing.check_size(os.path.getsize(path))
            with open(path, "rb") as f:
                table = importing.parse(f.read())
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        except importing.FileProblem as problem:
            raise CommandError(f"{problem} Nothing was imported.") from None

        def progress(phase, done, total):
            unit = "rows" if phase == "checking" else "concerns"
            self.stdout.write(f"{phase.capitalize()}: {done} of {total} {unit}")

        result = importing.run(
            table,
            organisation=organisation,
            user=user,
            dry_run=options["dry_run"],
            progress=progress,
            every=max(1, options["progress_every"]),
            file_name=os.path.basename(path),
        )
        for error in result.errors:
            self.stderr.write(str(error))
        if result.errors:
            raise CommandError(result.summary())
        if not options["dry_run"]:
            trail.seal_pending()
        prefix = "Dry run, nothing saved. " if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(prefix + result.summary()))

    def _organisation(self, value):
        found = (
            Organisation.objects.filter(pk=int(value)).first()
            if value.isdigit()
            else Organisation.objects.filter(name__iexact=value).first()
        )
        if found is None:
            raise CommandError(f"No organisation {value!r}: give its id or its exact name.")
        return found
