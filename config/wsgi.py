import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DATABASE_ROLE", "web")  # short database timeouts (config/database.py)
application = get_wsgi_application()
