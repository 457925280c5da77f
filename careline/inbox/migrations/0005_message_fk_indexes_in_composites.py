"""A message's channel and conversation lose their own index: (channel, thread_root) and
(conversation, created_at) begin with them and serve every lookup by them, while each index
costs every message stored. Dropped by name (no SQLite table rebuild), as cases 0008."""

import django.db.models.deletion
from django.db import migrations, models

# Django's names for the foreign keys' indexes (the same on SQLite and PostgreSQL).
INDEXES = {
    "channel_id": "inbox_message_channel_id_5102d250",
    "conversation_id": "inbox_message_conversation_id_37bc0d72",
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_caseevent_conversation_index_in_composite"),
        ("inbox", "0004_author_followers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "inbox_message" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="messages",
                        to="inbox.channel",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="cases.conversation",
                    ),
                ),
            ],
        ),
    ]
