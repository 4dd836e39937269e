import os

from django.core.asgi import get_asgi_application

from tracker.checks import refuse_unsafe_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
application = get_asgi_application()

# A server process never serves with DEBUG on or the development key, unless told it is a developer's machine.
refuse_unsafe_start()
