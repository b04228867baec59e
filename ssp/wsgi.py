"""WSGI entry point (gunicorn ssp.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssp.settings")

application = get_wsgi_application()
