import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haining.settings.production")
application = get_wsgi_application()

from haining.warmup import freeze_startup_objects, warm_up  # noqa: E402 - needs the configured application

warm_up()
freeze_startup_objects()  # last: what start-up built is out of the collector's way (and stays shared after fork)
