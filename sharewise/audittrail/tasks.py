"""Trail work queued for `manage.py worker` by the scheduler: sealing what is unsealed
and writing a checkpoint of the chain's head. Sealing again seals nothing twice."""

import logging

from django_tasks import task

from sharewise.audittrail import trail

logger = logging.getLogger(__name__)


@task()
def seal() -> int:
    sealed = trail.seal_pending(everything=True, checkpoint=False)
    _, problem = trail.take_checkpoint()
    if problem:
        # The trail no longer holds the last checkpoint: a person must look, now.
        logger.error("No checkpoint written: %s. Run manage.py verify_trail.", problem)
    return sealed
