"""A case event's conversation loses its own index: (conversation, created_at) begins with it
and serves every lookup by it, while each index costs every event stored. Dropped by name
(no SQLite table rebuild), as in 0008."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "cases_caseevent_conversation_id_4f40de21"  # Django's name, on SQLite and PostgreSQL


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_conversation_fk_indexes_in_composites"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX "{INDEX}" ON "cases_caseevent" ("conversation_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="caseevent",
                    name="conversation",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="cases.conversation",
                    ),
                ),
            ],
        ),
    ]
