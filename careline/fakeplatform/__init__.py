"""A local stand-in for the social platforms careline connects to (Meta Graph, X, Mastodon,
Bluesky, the generic webhook), for end-to-end tests and the demo. No Django dependency: see
docs/connectors/fake-platform.md."""

from careline.fakeplatform.config import FakeConfig
from careline.fakeplatform.server import FailRule, FakePlatform

__all__ = ["FailRule", "FakeConfig", "FakePlatform"]
