# ruff: noqa: S105 - every secret here is a published fake, not a credential.
"""The fake platform's accounts and secrets, and where it sends webhooks.

Every value has a default, so ``python -m careline.fakeplatform`` runs with no configuration; a
JSON file (``--config``) overrides any of them with the same nested names as the dataclasses
below (``python -m careline.fakeplatform --print-config`` writes the defaults out).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

# careline's webhook route family per platform: /hooks/<family>/<channel>.
WEBHOOK_FAMILY = {
    "generic": "generic",
    "facebook": "meta",
    "instagram": "meta",
    "messenger": "meta",
    "x": "x",
}
PLATFORMS = ("generic", "facebook", "instagram", "messenger", "x", "mastodon", "bluesky")


@dataclass
class MetaConfig:
    app_secret: str = "fake-meta-app-secret"
    page_access_token: str = "fake-meta-page-access-token"
    verify_token: str = "fake-meta-verify-token"
    page_id: str = "104738291234567"
    page_name: str = "Larkspur Home"
    instagram_account_id: str = "17841405309211844"
    instagram_username: str = "larkspurhome"
    graph_version: str = "v21.0"
    # "Require App Secret" in the Meta app's settings: calls without appsecret_proof fail.
    require_appsecret_proof: bool = True


@dataclass
class XConfig:
    consumer_secret: str = "fake-x-consumer-secret"
    user_access_token: str = "fake-x-user-access-token"
    bearer_token: str = "fake-x-bearer-token"
    user_id: str = "1111111111"
    username: str = "larkspurhome"
    name: str = "Larkspur Home"


@dataclass
class MastodonConfig:
    access_token: str = "fake-mastodon-access-token"
    account_id: str = "109000000000000001"
    username: str = "larkspurhome"
    display_name: str = "Larkspur Home"
    domain: str = "fake.social"
    max_characters: int = 500


@dataclass
class BlueskyConfig:
    handle: str = "larkspurhome.fake.social"
    app_password: str = "fake-app0-pass-word"
    did: str = "did:plc:larkspurhomefakeplatform"
    display_name: str = "Larkspur Home"


@dataclass
class GenericConfig:
    # careline's channel ``secret``: the fake signs inbound deliveries with it.
    secret: str = "fake-generic-secret"
    # careline's channel ``callback_secret``: replies must be signed with it ("" = secret).
    callback_secret: str = ""

    @property
    def reply_secret(self) -> str:
        return self.callback_secret or self.secret


@dataclass
class FakeConfig:
    meta: MetaConfig = field(default_factory=MetaConfig)
    x: XConfig = field(default_factory=XConfig)
    mastodon: MastodonConfig = field(default_factory=MastodonConfig)
    bluesky: BlueskyConfig = field(default_factory=BlueskyConfig)
    generic: GenericConfig = field(default_factory=GenericConfig)
    # careline's base URL; with channel_names it gives each webhook platform its target.
    careline_url: str = ""
    channel_names: dict[str, str] = field(
        default_factory=lambda: {
            platform: f"fake-{platform}" for platform in PLATFORMS if platform in WEBHOOK_FAMILY
        }
    )
    # Explicit webhook URLs per platform; they win over careline_url + channel_names.
    targets: dict[str, str] = field(default_factory=dict)
    webhook_timeout: float = 10.0

    def target(self, platform: str) -> str:
        """Where webhooks of ``platform`` go, "" when nowhere is configured."""
        explicit = self.targets.get(platform)
        if explicit:
            return explicit
        family = WEBHOOK_FAMILY.get(platform)
        name = self.channel_names.get(platform)
        if self.careline_url and family and name:
            return f"{self.careline_url.rstrip('/')}/hooks/{family}/{name}"
        return ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FakeConfig:
        """Defaults overridden by ``data``. Raises ValueError for an unknown key or a section
        that is not an object."""
        config = cls()
        for key, value in data.items():
            if key not in {f.name for f in fields(cls)}:
                raise ValueError(f"unknown configuration key {key!r}")
            current = getattr(config, key)
            if hasattr(current, "__dataclass_fields__"):
                if not isinstance(value, dict):
                    raise ValueError(f"{key} must be an object")
                known = {f.name for f in fields(current)}
                for inner, inner_value in value.items():
                    if inner not in known:
                        raise ValueError(f"unknown configuration key {key}.{inner!r}")
                    setattr(current, inner, inner_value)
            elif isinstance(current, dict):
                if not isinstance(value, dict):
                    raise ValueError(f"{key} must be an object")
                current.update({str(k): str(v) for k, v in value.items()})
            else:
                setattr(config, key, type(current)(value))
        return config

    @classmethod
    def load(cls, path: str | Path) -> FakeConfig:
        """Read a JSON configuration file. Raises OSError or ValueError."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: the configuration must be a JSON object")
        return cls.from_dict(data)
