from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from careline.lib.crypto import EncryptedJSONField


class Platform(models.TextChoices):
    GENERIC = "generic", "Generic webhook"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    MESSENGER = "messenger", "Messenger"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


# Which webhook route serves a platform (one Meta app serves all three Meta platforms);
# platforms missing here are polled.
WEBHOOK_FAMILY = {
    "generic": "generic",
    "facebook": "meta",
    "instagram": "meta",
    "messenger": "meta",
    "x": "x",
}


class Channel(models.Model):
    """A connected account: one brand handle or Page on one platform.

    ``credentials`` are encrypted at rest. For the generic channel they hold ``secret`` (inbound
    HMAC key) and optionally ``callback_url`` and ``callback_secret`` (where replies go).
    """

    name = models.SlugField(max_length=64, unique=True)
    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(
        max_length=128, blank=True, help_text="The brand's handle or page/account id."
    )
    display_name = models.CharField(max_length=120, blank=True)
    credentials = EncryptedJSONField(blank=True, default=dict)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Polling state: the connector's opaque cursor, so a restart resumes where it stopped.
    poll_cursor = models.JSONField(default=dict, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    poll_paused_until = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)
    # A platform asked us to slow down (rate-limit headers): deliveries wait until then.
    send_paused_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def webhook_path(self) -> str | None:
        """Where the platform posts this channel's deliveries; None for polled platforms."""
        from django.urls import reverse

        family = WEBHOOK_FAMILY.get(self.platform)
        return reverse("webhook", args=[family, self.name]) if family else None


class Customer(models.Model):
    """A person, possibly known through several platform identities (authors)."""

    display_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.display_name


class Author(models.Model):
    """A platform identity (user id on one platform) that posts to us."""

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    handle = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=200, blank=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="authors"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Reach, as the platform last reported it (X, Mastodon); None where it never says.
    followers = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="author_unique_platform_identity"
            )
        ]

    def __str__(self) -> str:
        return self.handle or self.name or self.external_id


class Direction(models.TextChoices):
    INBOUND = "in", "Inbound"
    OUTBOUND = "out", "Outbound"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class Message(models.Model):
    """One item in a conversation: something a person posted, or a reply we sent."""

    # channel and conversation: no index of their own; (channel, thread_root) and
    # (conversation, created_at) below begin with them and serve every lookup by them, while
    # each index costs every message stored (docs/performance.md, "Import").
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="messages", db_index=False
    )
    conversation = models.ForeignKey(
        "cases.Conversation", on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_messages",
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)
    text = models.TextField()
    # Platform ids. Outbound messages get theirs once the platform accepted them.
    external_id = models.CharField(max_length=128, null=True, blank=True)
    reply_to_external_id = models.CharField(max_length=128, blank=True)
    # The id of the first known post of the thread, so replies that arrive before their
    # parent still meet their siblings.
    thread_root = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(help_text="When the platform says it was posted.")
    received_at = models.DateTimeField(default=timezone.now)
    # The platform's word for it ("comment", "tweet", "dm", "mention"…).
    platform_kind = models.CharField(max_length=32, blank=True)
    # Found by keyword listening, not addressed to the brand: never answered automatically.
    indirect = models.BooleanField(default=False)
    # Changes the platform reported after we stored the item. The original text stays in the
    # case record (CaseEvent) when an edit replaces it.
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="message_unique_platform_id",
            )
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["channel", "thread_root"]),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.external_id or self.pk}"
