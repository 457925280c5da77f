from django.apps import AppConfig


class FakePlatformConfig(AppConfig):
    """Only so ``careline fake-platform`` exists; the server itself does not use Django."""

    name = "careline.fakeplatform"
    label = "fakeplatform"
    verbose_name = "Fake platform (tests and demo)"
