import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining.settings.production")
application = get_wsgi_application()

from haining.warmup import warm_up  # noqa: E402 - needs the configured application

warm_up()
