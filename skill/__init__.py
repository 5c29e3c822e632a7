"""The Alexa front end: ask-sdk-core handlers and a Flask app that serves them.

`create_app` builds the web service; `lambda_handler` is the AWS Lambda entry point,
built from the same skill on first use.
"""

from __future__ import annotations

import os
from typing import Any

from skill.app import create_app

__all__ = ["create_app", "lambda_handler"]

_lambda: Any = None
DYNAMODB_TABLE_VARIABLE = "COUPLECARE_DYNAMODB_TABLE"


def lambda_persistence() -> Any:
    """DynamoDB (ask-sdk's adapter) when COUPLECARE_DYNAMODB_TABLE names a table; else the
    progress store that COUPLECARE_DATABASE_URL names (SQLite by default)."""
    table = os.environ.get(DYNAMODB_TABLE_VARIABLE)
    if table:
        from skill.persistence import DynamoProfileAdapter

        return DynamoProfileAdapter(table)
    from progress import open_store
    from skill.persistence import StorePersistenceAdapter

    return StorePersistenceAdapter(open_store())


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry: Alexa calls Lambda directly, so there is no HTTP verification step;
    the skill id check (COUPLECARE_SKILL_ID) is what ties the function to the skill."""
    global _lambda
    if _lambda is None:
        from dialogs.book_cache import cached_book
        from skill.app import configure_logging
        from skill.handlers import build_skill

        configure_logging()
        _lambda = build_skill(cached_book(), lambda_persistence(),
                              os.environ.get("COUPLECARE_SKILL_ID") or None).lambda_handler()
    return _lambda(event, context)
