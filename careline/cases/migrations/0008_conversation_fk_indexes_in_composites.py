"""The case table's foreign keys channel, author and assignee lose their own index: the
composite indexes (channel, status), (author, status) and (assignee, status) begin with them
and serve every lookup by them, while each index costs every write of a case row.

Dropped by name rather than by AlterField: on SQLite, AlterField rebuilds the whole table
(three times over), where dropping an index is one statement on both databases.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's names for the foreign keys' indexes (the same on SQLite and PostgreSQL).
INDEXES = {
    "assignee_id": "cases_conversation_assignee_id_f17508d5",
    "author_id": "cases_conversation_author_id_2af5291d",
    "channel_id": "cases_conversation_channel_id_fbe776d1",
}


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_triage_context"),
        ("inbox", "0004_author_followers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "cases_conversation" ("{column}")',
                )
                for column, name in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_conversations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="author",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="conversations",
                        to="inbox.author",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="channel",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="inbox.channel",
                    ),
                ),
            ],
        ),
    ]
