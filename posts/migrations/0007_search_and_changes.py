"""Issue 14: full-text search of posts, and the change counter behind list ETags. Neither is a model or a
field (other databases have no ``tsvector``; the counter is the database's own bookkeeping), so this
migration changes no model state.

- PostgreSQL only: ``posts_post.search_vector``, a ``tsvector`` the database computes from title (weight
  A), excerpt (B) and content_text (C) on every write (a stored generated column), and its GIN index
  (``posts/search.py``). Adding the column computes it for every existing post, under a lock on the
  table: about a minute per million posts of a few kilobytes of text.
- Every database: ``posts_changes``, one row whose ``counter`` triggers raise in the writing transaction
  whenever posts change (insert, update, delete, truncate) or a user's names do (a post shows its
  author's): what a list shows can only change with it, or with time, as scheduled posts come out
  (``posts/selectors.py``). On SQLite a later migration that rebuilds one of these tables (SQLite's way
  to alter a column) drops its triggers with it, and must create them again; the tests of list ETags fail
  if it does not.
"""

from django.conf import settings
from django.db import migrations

VECTOR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(excerpt, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(content_text, '')), 'C')"
)
BUMP = "UPDATE posts_changes SET counter = counter + 1 WHERE id = 1"
AUTHOR_COLUMNS = "username, first_name, last_name"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    execute = schema_editor.execute
    execute("CREATE TABLE posts_changes (id integer PRIMARY KEY, counter bigint NOT NULL)")
    execute("INSERT INTO posts_changes (id, counter) VALUES (1, 0)")
    if vendor == "postgresql":
        execute(f"ALTER TABLE posts_post ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED")
        execute("CREATE INDEX post_search_idx ON posts_post USING gin (search_vector)")
        execute(
            "CREATE FUNCTION posts_changes_bump() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        execute(
            "CREATE TRIGGER posts_changes_posts AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON posts_post "
            "FOR EACH STATEMENT EXECUTE FUNCTION posts_changes_bump()"
        )
        execute(
            f"CREATE TRIGGER posts_changes_authors AFTER UPDATE OF {AUTHOR_COLUMNS} ON {users} "
            "FOR EACH STATEMENT EXECUTE FUNCTION posts_changes_bump()"
        )
    else:  # SQLite: row triggers, one per event
        for event in ("INSERT", "UPDATE", "DELETE"):
            execute(f"CREATE TRIGGER posts_changes_posts_{event.lower()} AFTER {event} ON posts_post BEGIN {BUMP}; END")
        execute(f"CREATE TRIGGER posts_changes_authors AFTER UPDATE OF {AUTHOR_COLUMNS} ON {users} BEGIN {BUMP}; END")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    users = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    execute = schema_editor.execute
    if vendor == "postgresql":
        execute("DROP TRIGGER posts_changes_posts ON posts_post")
        execute(f"DROP TRIGGER posts_changes_authors ON {users}")
        execute("DROP FUNCTION posts_changes_bump()")
        execute("ALTER TABLE posts_post DROP COLUMN search_vector")  # and its index
    else:
        for event in ("insert", "update", "delete"):
            execute(f"DROP TRIGGER posts_changes_posts_{event}")
        execute("DROP TRIGGER posts_changes_authors")
    execute("DROP TABLE posts_changes")


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0006_post_updated_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
