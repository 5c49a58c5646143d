"""gunicorn's settings for Sharewise (read from the working directory, or give
`--config gunicorn.conf.py`). The environment overrides:

  SHAREWISE_BIND     where to listen, e.g. 0.0.0.0:8000 or unix:/run/sharewise.sock
                     (default 127.0.0.1:8000, behind the reverse proxy that holds TLS)
  WEB_CONCURRENCY    worker processes (default 2 per core plus 1)
"""

import multiprocessing
import os

wsgi_app = "sharewise.wsgi:application"
bind = [
    address.strip() for address in os.environ.get("SHAREWISE_BIND", "127.0.0.1:8000").split(",")
]


def _workers() -> int:
    given = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not given:
        return multiprocessing.cpu_count() * 2 + 1
    if not given.isdigit() or int(given) < 1:
        raise SystemExit(
            f"WEB_CONCURRENCY must be a whole number of workers, 1 or more, not {given!r}"
        )
    return int(given)


workers = _workers()
# A request taking longer is stuck: the worker is killed and restarted. Long jobs
# (imports, audits, evidence packs) run as background tasks, never in a request.
timeout = 60
# On restart or SIGTERM, requests under way get this long to finish.
graceful_timeout = 30
# Behind a load balancer that keeps connections open; below its idle timeout.
keepalive = 5
# Each worker is replaced after about this many requests, so memory cannot creep up.
max_requests = 1000
max_requests_jitter = 100

# Access log on stdout, error log on stderr. The path without its query string (%(U)s,
# never %(r)s or %(q)s: a query can carry a name) and no Referer (it carries our own
# addresses with theirs); the request id matches the JSON line of sharewise.requests.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms %({x-request-id}o)s'

# gunicorn 25+'s control socket sits at one path per user ($HOME/.gunicorn): a second
# instance on the machine would take it over, and the systemd units keep $HOME read-only.
control_socket_disable = True


def on_starting(server):
    """Refuse to start before `manage.py collectstatic`: production serves only the
    collected, hashed files, and every page naming a missing one would be a 500."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharewise.settings_production")
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.utils.module_loading import import_string

    storage = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    if not issubclass(storage, ManifestFilesMixin):
        return  # development settings: files are found where they are
    if not os.path.exists(os.path.join(settings.STATIC_ROOT, storage.manifest_name)):
        raise SystemExit(
            f"No static files in {settings.STATIC_ROOT}: run "
            "`manage.py collectstatic --noinput` first (SHAREWISE_STATIC_ROOT says where)."
        )
