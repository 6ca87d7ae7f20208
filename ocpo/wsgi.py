"""WSGI entry point (gunicorn ocpo.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocpo.settings")

application = get_wsgi_application()
