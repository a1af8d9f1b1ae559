"""Append-only rows (issue 15): ledger entries, audit events, purchases, usage records and payments are never
changed or deleted; a correction is a new compensating row. Refused twice over:

- in the ORM: `AppendOnlyModel.save()` of an existing row, `delete()`, and the queryset's `update()`/`delete()`;
- in the database (PostgreSQL): a BEFORE UPDATE OR DELETE trigger per table, so raw SQL and the app's own
  database role are refused too. TRUNCATE (how a test run empties the database) is not a row change and passes.
  SQLite (the embedded development default) has the ORM guard only: Django empties SQLite tables with DELETE
  between transactional tests, which a trigger would refuse.
"""

from django.core.exceptions import ValidationError
from django.db import migrations, models
from django.utils.translation import gettext_lazy as _

MESSAGE = _("%(name)s cannot be changed or deleted: record a correction as a new row.")


def _refuse(model) -> ValidationError:
    return ValidationError(MESSAGE, code="append_only", params={"name": model._meta.verbose_name_plural})


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise _refuse(self.model)

    def delete(self):
        raise _refuse(self.model)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise _refuse(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise _refuse(type(self))


# --- the database guard, used by each app's migration -----------------------------------------------------------

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only: % refused (record a correction as a new row)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END $$;
"""


def _create(apps, schema_editor, tables):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(_PG_FUNCTION, params=None)  # no parameters: its "%" are plpgsql's
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                              "FOR EACH ROW EXECUTE FUNCTION append_only_refuse()")


def _drop(apps, schema_editor, tables):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in tables:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")


def append_only_triggers(*tables: str) -> migrations.RunPython:
    """A migration operation that puts the append-only trigger on these tables (and takes it off in reverse)."""
    return migrations.RunPython(lambda apps, editor: _create(apps, editor, tables),
                                lambda apps, editor: _drop(apps, editor, tables))
