"""The authorization SQL (LIM-02, LIM-05) names its tables from the models and binds every compared value as a
parameter: no quoted literal in the statements, and the values bound are the models' own choices."""

import re

import pytest

from accounts.models import Block, Line
from billing.models import Bill, DeclineReason, Purchase, SpendingLimit
from billing.services import limits, purchases

STATEMENTS = {
    "line_by_id": purchases._LINE_BY["id"], "line_by_msisdn": purchases._LINE_BY["msisdn"],
    "line_pg_by_id": purchases._LINE_BY_PG["id"], "line_pg_by_msisdn": purchases._LINE_BY_PG["msisdn"],
    "decide_by_id": purchases._DECIDE_BY["id"], "decide_by_msisdn": purchases._DECIDE_BY["msisdn"],
    "authorize_by_id": purchases._AUTHORIZE_BY["id"], "authorize_by_msisdn": purchases._AUTHORIZE_BY["msisdn"],
    "debit": purchases._DEBIT_SQL, "current": purchases._CURRENT_SQL, "insert": purchases._INSERT_SQL,
    "limit_add": limits._ADD_SQL,
}


@pytest.mark.rule("LIM-05")
@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_no_quoted_value_and_no_unformatted_placeholder_in_the_sql(name):
    sql = STATEMENTS[name]
    assert "'" not in sql
    assert "{" not in sql and "}" not in sql


@pytest.mark.rule("LIM-05")
def test_the_sql_reads_the_models_tables():
    decide = purchases._DECIDE_BY["msisdn"]
    for model in (Line, Block, Bill, SpendingLimit):
        assert f" {model._meta.db_table} " in decide
    assert purchases._INSERT_SQL.split()[2] == Purchase._meta.db_table


@pytest.mark.rule("LIM-05")
def test_every_named_parameter_is_bound_and_every_decline_reason_is_a_model_value():
    bound = set(purchases._ENUM_PARAMS) | {"key", "category_ok", "counts", "amount", "scope", "today", "now"}
    for key in ("id", "msisdn"):
        assert set(re.findall(r"%\((\w+)\)s", purchases._DECIDE_BY[key])) <= bound
    reasons = {value for name, value in purchases._ENUM_PARAMS.items() if name in (
        "not_postpaid", "unknown_category", "customer_bar", "system_hold", "unpaid_bill", "line_blocked")}
    assert reasons == set(DeclineReason.values) - {DeclineReason.LIMIT_EXCEEDED}
    assert purchases._ENUM_PARAMS["block_unpaid_bill"] in Block.Reason.values
    assert purchases._ENUM_PARAMS["postpaid"] == Line.Kind.POSTPAID


@pytest.mark.rule("LIM-05")
def test_the_one_statement_binds_every_parameter_and_inserts_the_models_columns():
    bound = set(purchases._ENUM_PARAMS) | set(purchases._DECISION_PARAMS) | {
        "key", "category_ok", "counts", "amount", "scope", "today", "now", "request_id", "category_code",
        "category_id", "description", "channel", "client"}
    for key in ("id", "msisdn"):
        named = set(re.findall(r"%\((\w+)\)s", purchases._AUTHORIZE_BY[key]))
        assert named <= bound and set(purchases._DECISION_PARAMS) <= named
    assert purchases._DECISION_PARAMS["limit_exceeded"] == DeclineReason.LIMIT_EXCEEDED
    columns = re.search(r"INSERT INTO \w+ \(([^)]*)\)", purchases._AUTHORIZE_BY["id"]).group(1)
    fields = {f.column for f in Purchase._meta.concrete_fields} - {"id"}
    assert {c.strip() for c in columns.split(",")} == fields
