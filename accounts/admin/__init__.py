"""Supervisors' admin for customers, accounts, lines and blocks.

Tables that hold millions of rows (customers, billing accounts, lines, blocks) use indexed searches only
(`get_search_results` classifies the query like the agent search box), sort only on indexed columns, never count
the whole table, and never write to rows directly: edits that change service go through the services as admin
actions; the few plain fields a supervisor may edit are audited with a reason (ACC-07).
"""

from accounts.admin import customers, identity, lines, staff  # noqa: F401 (each registers its models)
