from django.apps import AppConfig


class TrackerConfig(AppConfig):
    default = True
    name = "tracker"
    verbose_name = "Registry"

    def ready(self):
        # The deployment checks of `check --deploy`.
        from tracker import checks  # noqa: F401
