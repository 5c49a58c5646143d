import os
import time

from django.core.management.base import BaseCommand, CommandError

from sharewise.audittrail import checkpoints, records, trail


class Command(BaseCommand):
    help = (
        "Check the audit trail's keyed hash chain and name the first broken entry; check "
        "the chain against the latest checkpoint; with --records, check that concerns, "
        "sharing decisions and disclosures still read as the trail last recorded them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes checking ranges of the chain side by side (default: up to 2)",
        )
        parser.add_argument(
            "--records",
            action="store_true",
            help="also recompute each digested record's digest and compare it with the "
            "latest one the trail holds for it",
        )

    def handle(self, *args, workers, records: bool = False, **options):
        started = time.perf_counter()
        result = trail.verify(workers=max(1, workers))
        seconds = time.perf_counter() - started
        failures = []
        if result.broken:
            failures.append(
                f"Audit trail broken at {result.broken} "
                f"({result.checked} entries before it are intact)."
            )
        if result.checkpoint_problem:
            failures.append(
                f"Audit trail does not match its checkpoint: {result.checkpoint_problem}."
            )
        if not result.broken:
            rate = result.checked / seconds if seconds else 0
            self.stdout.write(
                f"{'Audit trail intact' if result.ok else 'Every link of the chain holds'}: "
                f"{result.checked} entries checked in {seconds:.2f}s ({rate:,.0f} a second)."
            )
        if result.unkeyed:
            self.stdout.write(
                f"{result.unkeyed:,} entries (positions 1 to {result.unkeyed:,}) were sealed "
                "before keyed sealing began: their seals are plain SHA-256, which anyone "
                "with access to the database could recompute, so they are checked only "
                "as well as that allows."
            )
        if result.checkpoint and not result.checkpoint_problem:
            point = result.checkpoint
            self.stdout.write(
                f"The chain holds the latest checkpoint ({point.position:,} sealed entries "
                f"at {point.at[:19].replace('T', ' ')} UTC)."
            )
        elif result.checkpoint is None:
            self.stdout.write(
                f"No checkpoint found in {checkpoints.path()}: removing the newest entries "
                "together with their seals would not be noticed. Run `manage.py seal_trail`."
            )
        if result.unsealed:
            self.stdout.write(
                f"{result.unsealed} recent entries are not sealed yet; "
                "run `manage.py seal_trail` to seal them."
            )
        if records:
            failures.extend(self._records())
        if failures:
            raise CommandError("\n".join(failures))

    def _records(self) -> list[str]:
        started = time.perf_counter()
        found = records.verify()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Records: {found.checked:,} checked against the trail's latest digest of each "
            f"in {seconds:.2f}s."
        )
        for label, count in sorted(found.undigested.items()):
            some = f"1 {label} has" if count == 1 else f"{count:,} {label}s have"
            self.stdout.write(
                f"{some} no digest in the trail (made before digests were kept) and cannot "
                "be checked."
            )
        failures = [
            f"{label.capitalize()} {pk}: its content no longer matches the trail." + where
            for label, pk, where in found.changed
        ] + [
            f"{label.capitalize()} {pk}: the trail holds it, but it is gone from the database."
            for label, pk in found.gone
        ]
        if found.more:
            failures.append(f"… and {found.more:,} more records that do not match.")
        return failures
