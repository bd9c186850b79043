import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Import every view now (Django would on the first request), then keep all that start-up made
# out of the garbage collector's full collections: it lives as long as the process, and each
# full collection scanned it all (some 180,000 objects) — about 150 ms added to every fifth
# request of a page that makes many objects, such as the dashboard.
get_resolver().url_patterns  # noqa: B018 - loads the URLconf and its views
gc.collect()
gc.freeze()
