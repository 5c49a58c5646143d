import os

from django.core.wsgi import get_wsgi_application

# Production unless told otherwise: development settings are only for `make run` and tests.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharewise.settings_production")
application = get_wsgi_application()
