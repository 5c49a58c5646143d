from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import checkpoints, trail


class Command(BaseCommand):
    help = (
        "Seal every unsealed audit-trail entry into the hash chain, then write a checkpoint "
        "of the chain's head to the checkpoint file and the log (safe from cron)."
    )

    def handle(self, *args, **options):
        sealed = trail.seal_pending(everything=True, checkpoint=False)
        self.stdout.write(f"Sealed {sealed} entries.")
        point, problem = trail.take_checkpoint()
        if problem:
            raise CommandError(
                f"No checkpoint written: the audit trail no longer holds the latest one: "
                f"{problem}. Run `manage.py verify_trail`."
            )
        self.stdout.write(
            f"Checkpoint: {point.position:,} sealed entries, head {point.hash[:16]}…, "
            f"written to {checkpoints.path()}."
        )
