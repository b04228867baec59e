"""WSGI entry point (gunicorn ssp.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ssp.settings")

application = get_wsgi_application()

# Garbage collection (issue 11, load test). A request allocates tens of thousands of objects,
# nearly all freed by reference counting; at Python's default threshold (700) the collector
# ran about once per request and walked the ~200,000 objects Django and the code had loaded.
# Those, with the URL configuration and the views, are moved out of its reach once loaded
# (each gunicorn worker imports this module after the fork), and the youngest generation is
# collected less often. Garbage in reference cycles is still collected, in larger rounds.
get_resolver().url_patterns  # noqa: B018 - the views' modules, loaded before the freeze
gc.collect()
gc.freeze()
gc.set_threshold(20_000, 20, 100)
