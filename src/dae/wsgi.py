"""The WSGI application. Production settings unless DJANGO_SETTINGS_MODULE says otherwise (the development
server, ``dae runserver``, sets its own)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.production")
application = get_wsgi_application()
