"""What training does when something below it changes: a new version of a policy
staff must know asks them to read what changed."""

from sharewise.training import receipts


def on_policy_saved(sender, version, **kwargs):
    receipts.announce(version)


def connect():
    from sharewise.policy.changes import version_saved

    version_saved.connect(on_policy_saved, dispatch_uid="training.policy_saved")
