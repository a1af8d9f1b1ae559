"""Monthly partitions of the tables that grow per event (issue 14), PostgreSQL only.

A partitioned table is RANGE-partitioned by month on one timestamp column. Months are WIB months (Asia/Jakarta,
UTC+7, no daylight saving): the partition of December 2026 holds the rows from 2026-12-01 00:00 WIB
(= 2026-11-30 17:00 UTC) up to 2027-01-01 00:00 WIB, the same month the back office shows and bills by.
Partitions are named `<table>_pYYYY_MM`; `<table>_default` catches a row outside every month partition.

- `partition_by_month()` is the migration operation that converts a plain table (data kept).
- `partitions_maintain()` is the daily job: creates the next months ahead (idempotent) and detaches - never drops -
  the months past the table's retention, for archiving (`pg_dump -t <table>_pYYYY_MM`, then drop by hand).

The database PRIMARY KEY of a partitioned table is (id, <column>): PostgreSQL wants the partition key in every
unique constraint. Django keeps `id` as the pk (unique through its identity sequence), so `get(pk=…)` and saves
work unchanged. A key that must stay unique over all months (a purchase's request_id, a ledger reference ...) is
kept unique in a narrow unpartitioned key table, filled by a trigger on every insert: a duplicate raises the same
unique violation (IntegrityError) the replay paths already catch. Apps register their tables in AppConfig.ready().
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection, migrations, transaction
from django.utils.translation import gettext_noop as N_

from core.dates import add_months, local_today

WIB_OFFSET = "+07:00"  # Asia/Jakarta has no daylight saving: a month starts at 00:00 +07:00 on its 1st.


PARAMETERS = {
    # code: (value, unit, rule, description)
    "partitions_months_ahead": (3, N_("months"), "", N_("Monthly partitions created ahead of the current month.")),
    "audit_retention_months": (60, N_("months"), "", N_("Months of audit events kept in the database; older months are "
                               "detached for archiving.")),
    "sms_retention_months": (12, N_("months"), "", N_("Months of outbound SMS kept in the database; older months are "
                             "detached for archiving.")),
}


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    column: str
    retention_parameter: str  # months kept attached (core.parameters)


PARTITIONED: dict[str, PartitionedTable] = {}


def register_partitioned(table: str, column: str, retention_parameter: str) -> PartitionedTable:
    """Called from an AppConfig.ready(): the job keeps this table's months ahead and detaches those past retention."""
    spec = PartitionedTable(table=table, column=column, retention_parameter=retention_parameter)
    PARTITIONED[table] = spec
    return spec


# --- months -----------------------------------------------------------------------------------------------------


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_bound(month: dt.date) -> str:
    """The partition bound literal of a month's first instant (00:00 WIB on the 1st)."""
    return f"{month.isoformat()} 00:00:00{WIB_OFFSET}"


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _exists(cursor, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    return cursor.fetchone()[0]


def attached_months(table: str) -> list[dt.date]:
    """The months that have an attached partition, oldest first."""
    prefix = f"{table}_p"
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s)", [table])
        names = [row[0] for row in cursor.fetchall()]
    months = []
    for name in names:
        suffix = name[len(prefix):] if name.startswith(prefix) else ""
        if len(suffix) == 7 and suffix[4] == "_" and suffix.replace("_", "").isdigit():
            months.append(dt.date(int(suffix[:4]), int(suffix[5:]), 1))
    return sorted(months)


def _has_trigger(cursor, table: str, trigger: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = %s)",
                   [table, trigger])
    return cursor.fetchone()[0]


def partition_create(table: str, column: str, month: dt.date) -> bool:
    """Create the partition of `month` if it is missing (True if created). It is made as a plain table and then
    attached, which locks the parent less than CREATE TABLE … PARTITION OF (inserts go on). Rows of that month that
    went to the default partition meanwhile are moved into it first (PostgreSQL refuses the partition otherwise)."""
    name = partition_name(table, month)
    low, high = month_bound(month), month_bound(add_months(month, 1))
    default = f"{table}_default"
    with transaction.atomic(), connection.cursor() as cursor:
        if _exists(cursor, name):
            return False
        cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE {_q(column)} >= %s AND {_q(column)} < %s)",
                       [low, high])
        if cursor.fetchone()[0]:
            # The rows leave the default partition (its append-only trigger is off for this move only, in this
            # transaction) into the table that then becomes the month's partition: no row is changed or lost, and
            # their keys stay where they are in the key table (no insert trigger fires on a plain table).
            cursor.execute(f"ALTER TABLE {_q(default)} DISABLE TRIGGER USER")
            cursor.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(column)} >= %s "
                           f"AND {_q(column)} < %s RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved",
                           [low, high])
            cursor.execute(f"ALTER TABLE {_q(default)} ENABLE TRIGGER USER")
        cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} "
                       f"FOR VALUES FROM ('{low}') TO ('{high}')")
        return True


def partitions_ensure(table: str, column: str, *, months_ahead: int, today: dt.date | None = None) -> list[str]:
    """This month's partition and the next `months_ahead` ones exist afterwards; returns those created."""
    first = month_of(today or local_today())
    created = []
    for step in range(months_ahead + 1):
        month = add_months(first, step)
        if partition_create(table, column, month):
            created.append(partition_name(table, month))
    return created


def partitions_detach(table: str, *, retention_months: int, today: dt.date | None = None) -> list[str]:
    """Detach (not drop) the partitions of months that ended more than `retention_months` months before this
    month began. The detached table keeps its rows, indexes and the append-only trigger, for archiving."""
    oldest_kept = add_months(month_of(today or local_today()), -retention_months)
    detached = []
    with transaction.atomic(), connection.cursor() as cursor:
        append_only = _has_trigger(cursor, table, f"{table}_append_only")
        for month in attached_months(table):
            if month >= oldest_kept:
                continue
            name = partition_name(table, month)
            cursor.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
            if append_only:  # PostgreSQL drops the cloned trigger with the detach: an archive stays append-only
                cursor.execute(f"CREATE TRIGGER {_q(name + '_append_only')} BEFORE UPDATE OR DELETE ON {_q(name)} "
                               "FOR EACH ROW EXECUTE FUNCTION append_only_refuse()")
            detached.append(name)
    return detached


def partitions_maintain(*, today: dt.date | None = None) -> dict:
    """The daily job: for every registered table, the months ahead and the detaches past retention."""
    from core.parameters import parameter

    if connection.vendor != "postgresql":
        return {}
    months_ahead = parameter("partitions_months_ahead")
    done = {}
    for spec in PARTITIONED.values():
        done[spec.table] = {
            "created": partitions_ensure(spec.table, spec.column, months_ahead=months_ahead, today=today),
            "detached": partitions_detach(spec.table, retention_months=parameter(spec.retention_parameter),
                                          today=today),
        }
    return done


# --- the conversion migration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UniqueKey:
    """A column unique over all months, kept in `key_table` (key_column PRIMARY KEY, id_column, created_at: a
    Django model, so that a test database flush empties it too), filled by a trigger on every insert. Foreign keys
    that pointed at the partitioned table's id point at id_column instead (which must then be UNIQUE)."""

    column: str
    key_table: str
    key_column: str
    id_column: str


def _fetch(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _key_trigger_sql(table: str, column: str, key: UniqueKey) -> list[str]:
    """The key row follows its row: written with it (a duplicate fails the statement), gone when the row is
    deleted (outbox rows may be; append-only tables refuse the delete before this runs), moved if the key changes.
    Detaching a partition deletes nothing: an archived key stays taken."""
    function = f"{table}_unique_key"
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN DELETE FROM {key.key_table} WHERE {key.key_column} = OLD.{key.column}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN INSERT INTO {key.key_table} ({key.key_column}, {key.id_column}, created_at) "
        f"VALUES (NEW.{key.column}, NEW.id, NEW.{column}); END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER {table}_unique_key AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {table}_unique_key_changed AFTER UPDATE OF {key.column} ON {table} FOR EACH ROW "
        f"WHEN (OLD.{key.column} IS DISTINCT FROM NEW.{key.column}) EXECUTE FUNCTION {function}()",
    ]


def convert_to_partitioned(schema_editor, table: str, column: str, *, key: UniqueKey | None = None,
                           months_ahead: int = 3, today: dt.date | None = None) -> None:
    """Turn the plain `table` into one partitioned by month on `column`, keeping every row, id, index name,
    check and foreign key, the append-only trigger and the id sequence; PostgreSQL only (SQLite keeps its table)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    old = f"{table}_unpartitioned"

    def run(sql):
        schema_editor.execute(sql, params=None)  # no parameters: DDL literals only

    with schema_editor.connection.cursor() as cursor:
        if _fetch(cursor, "SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])[0][0] == "p":
            return  # already partitioned
        indexes = _fetch(cursor, "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique, x.indisprimary, "
                                 "c.conname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                                 "LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid "
                                 "WHERE x.indrelid = to_regclass(%s)", [table])
        foreign = _fetch(cursor, "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                                 "WHERE conrelid = to_regclass(%s) AND contype = 'f'", [table])
        inbound = _fetch(cursor, "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                                 "FROM pg_constraint WHERE confrelid = to_regclass(%s) AND contype = 'f'", [table])
        append_only = _has_trigger(cursor, table, f"{table}_append_only")
        sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
        oldest = _fetch(cursor, f"SELECT min({column}) FROM {table}")[0][0]
    if inbound and key is None:
        raise ValueError(f"{table} is referenced by foreign keys {inbound}: give it a UniqueKey to point them at")

    for referencing, name, _definition in inbound:
        run(f"ALTER TABLE {referencing} DROP CONSTRAINT {name}")
    run(f"ALTER TABLE {table} RENAME TO {old}")
    run(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS "
        f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({column})")
    run(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    first = month_of(today or local_today())
    if oldest is not None:  # a partition for every month that has rows (later ones than planned go to default)
        first = min(first, month_of(oldest.astimezone(dt.timezone(dt.timedelta(hours=7))).date()))
    last = add_months(month_of(today or local_today()), months_ahead)
    month = first
    while month <= last:
        run(f"CREATE TABLE {partition_name(table, month)} PARTITION OF {table} "
            f"FOR VALUES FROM ('{month_bound(month)}') TO ('{month_bound(add_months(month, 1))}')")
        month = add_months(month, 1)
    run(f"INSERT INTO {table} SELECT * FROM {old}")
    if key is not None:
        run(f"INSERT INTO {key.key_table} ({key.key_column}, {key.id_column}, created_at) "
            f"SELECT {key.column}, id, {column} FROM {old}")
    if sequence:  # the ids go on where they were
        run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), last_value, is_called) FROM {sequence}")
    run(f"DROP TABLE {old}")
    if sequence:  # the new identity sequence takes the old one's name
        with schema_editor.connection.cursor() as cursor:
            new_sequence = _fetch(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0]
        run(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    for index_name, definition, unique, primary, constraint in indexes:
        if primary:
            run(f"ALTER TABLE {table} ADD CONSTRAINT {constraint or index_name} PRIMARY KEY (id, {column})")
        elif unique:
            if key is None or f"({key.column})" not in definition:
                raise ValueError(f"{table}: unique index {index_name} needs the partition key or a UniqueKey")
            # Unique in the key table; here an index for the lookups by key (the replay paths), per partition.
            run(f"CREATE INDEX {index_name} ON {table} ({key.column})")
        else:
            run(definition)
    for name, definition in foreign:
        run(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    if key is not None:
        for statement in _key_trigger_sql(table, column, key):
            run(statement)
        for referencing, name, definition in inbound:
            column_list = definition.split("REFERENCES")[0]
            tail = definition.split(")", 2)[-1]  # ON DELETE … DEFERRABLE …, after "REFERENCES t(id)"
            run(f"ALTER TABLE {referencing} ADD CONSTRAINT {name} {column_list}"
                f"REFERENCES {key.key_table}({key.id_column}){tail}")
    if append_only:
        run(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION append_only_refuse()")


def partition_by_month(table: str, column: str, *, key: UniqueKey | None = None) -> migrations.RunPython:
    """The migration operation (PostgreSQL; SQLite keeps the plain table). Irreversible: going back would need the
    rows moved into a plain table again, and the key table dropped after its trigger (write that by hand)."""
    return migrations.RunPython(lambda apps, editor: convert_to_partitioned(editor, table, column, key=key))
