"""Schemathesis hooks for contract/run.sh.

Three upstream checks are replaced by wrappers that run the very same upstream
check and then forgive, narrowly, only what is listed below; anything else
they report still fails the run.

* `positive_data_acceptance`    -> `positive_data_acceptance_semantic`
* `negative_data_rejection`     -> `negative_data_rejection_known`
* `response_schema_conformance` -> `response_schema_conformance_known`

A deserializer for `application/pdf` is registered too: a PDF response must
start with `%PDF-`, and is then validated against its schema as a string.

DESIGN rules are permanent: rejections (422, and 412 for If-Match) that no
JSON Schema can predict, told apart by their stable problem `code` (PRODUCT.md §3).

KNOWN findings are temporary: real gaps between the contract and the service
that need a Rust change (the contract is generated from the Rust DTOs). Each
has an id, and contract/README.md says what to change. run.sh prints, after
every run, which known findings were still reproduced and which were not:
delete an entry once its fix has landed, so that a regression fails again.

Every forgiven case is appended to the JSON-lines file $CONTRACT_ST_LOG.
"""

from __future__ import annotations

import datetime
import json
import os
import re
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import JsonSchemaError, RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
)

Problem = dict[str, Any]

# ---------------------------------------------------------------------------
# DESIGN: rejections that depend on state, on the catalog, on the date, or on
# several inputs at once.
# ---------------------------------------------------------------------------
DESIGN: dict[str, Callable[[Any, Problem], bool]] = {
    # A body field names an id (product, payment method, billing profile, user)
    # that does not exist in the caller's organisation; a schema can only say "a UUID".
    "reference-not-found": lambda case, p: p.get("code") in {"invalid_reference", "users_not_in_organization"},
    # A take-over target must be a live organisation subscription of the same
    # product; an approval may name only the users who were asked for (§7).
    "governance-state": lambda case, p: p.get("code") in {"invalid_target_subscription", "users_not_requested"},
    # Limits that belong to each catalog product (max_licenses, trial max_licenses).
    "per-product-limits": lambda case, p: p.get("code") in {"invalid_license_count", "trial_license_limit"},
    # 412: an If-Match that is not the subscription's current ETag (only a prior read knows it).
    "etag-mismatch": lambda case, p: p.get("status") == 412 and p.get("code") == "precondition_failed",
    # 428: growing on assign (`add_licenses: true`) needs If-Match; the header
    # is optional otherwise, so no schema can say when it is required (§9).
    "if-match-with-add-licenses": lambda case, p: p.get("status") == 428
    and p.get("code") == "precondition_required"
    and _value_at(case.body, "add_licenses") is True,
    # Canceling at period end needs a paid period: a trial has none (§8), and
    # only the subscription's state says which it is.
    "cancel-at-period-end-needs-a-paid-period": lambda case, p: p.get("code") == "invalid_field"
    and p.get("field") == "at_period_end",
    # Cursors are opaque: only the ones the service issued are valid.
    "opaque-cursor": lambda case, p: p.get("code") == "invalid_parameter" and p.get("parameter") == "cursor",
    # The same Idempotency-Key was used earlier with another body.
    "idempotency-key-reused": lambda case, p: p.get("code") == "idempotency_key_reused",
    # Rules across query parameters (`from`/`to` only with period=custom, from <= to,
    # 24 months), for well-formed dates (a malformed one is K10).
    "date-range": lambda case, p: p.get("code") == "invalid_date_range" and not _malformed_date(case, p),
    # Card checks by algorithm, by card brand or against today's date.
    "card-semantics": lambda case, p: p.get("code")
    in {"card_number_invalid", "card_brand_unsupported", "card_expired", "card_expiry_invalid"},
    # A digits-only security code of the wrong length for the card's brand (4 for Amex, else 3).
    "cvc-length-for-brand": lambda case, p: p.get("code") == "cvc_invalid"
    and str(_value_at(case.body, "cvc") or _value_at(case.body, "card.cvc") or "").isdigit(),
    # Repeated user_ids although the contract says `uniqueItems`: the `users` dictionary
    # (schemathesis.toml) fills items after generation and can repeat an id.
    "dictionary-repeats-user-ids": lambda case, p: p.get("code") == "duplicate_user_ids"
    and _declares_unique_user_ids(case),
    # JSON Schema counts 105.0 as an integer; serde, like most typed servers, wants 105.
    "integral-float": lambda case, p: p.get("code") == "invalid_field"
    and isinstance(p.get("field"), str)
    and _is_integral_float(_value_at(case.body, p["field"])),
}

# ---------------------------------------------------------------------------
# KNOWN findings: the contract is looser than the service. Fix in Rust, then
# delete the entry. (Ids match contract/README.md, "Known findings".)
# ---------------------------------------------------------------------------

KNOWN_REJECTIONS: dict[str, Callable[[Any, Problem], bool]] = {
    # K2-K10 were fixed in the contract (patterns, formats, min_properties,
    # uniqueItems); their entries are gone so that a regression fails the run.
}

KNOWN_ACCEPTANCES: dict[str, Callable[[Any, Any], bool]] = {
    # K1 was fixed: bodies are checked against the contract's shapes (api/src/extract/shape.rs).
}


KNOWN_SCHEMA_MISMATCHES: dict[str, Callable[[Any, Any], bool]] = {
    # None open. (K11, the PDF body declared as an array of integers, was fixed by
    # the binary `BinaryFile` schema.) An entry takes (case, response).
}


# ---------------------------------------------------------------------------
# the wrappers
# ---------------------------------------------------------------------------
@schemathesis.check
def positive_data_acceptance_semantic(ctx, response, case):
    """`positive_data_acceptance`, minus DESIGN rules and KNOWN_REJECTIONS."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        problem = _problem(response)
        if problem is not None and problem.get("status") == response.status_code:
            for kind, rules in (("design", DESIGN), ("known", KNOWN_REJECTIONS)):
                for rule_id, matches in rules.items():
                    if _safe(matches, case, problem):
                        _log(kind, rule_id, case, response, problem)
                        return None
        raise


@schemathesis.check
def negative_data_rejection_known(ctx, response, case):
    """`negative_data_rejection`, minus KNOWN_ACCEPTANCES."""
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        for rule_id, matches in KNOWN_ACCEPTANCES.items():
            if _safe(matches, case, response):
                _log("known", rule_id, case, response, None)
                return None
        raise


@schemathesis.check
def response_schema_conformance_known(ctx, response, case):
    """`response_schema_conformance`, minus KNOWN_SCHEMA_MISMATCHES."""
    try:
        return response_schema_conformance(ctx, response, case)
    except JsonSchemaError:
        for rule_id, matches in KNOWN_SCHEMA_MISMATCHES.items():
            if _safe(matches, case, response):
                _log("known", rule_id, case, response, None)
                return None
        raise


@schemathesis.deserializer("application/pdf")
def pdf_document(ctx, response):
    """A PDF body: checked for the `%PDF-` header, then handed to schema validation as text."""
    if not response.content.startswith(b"%PDF-"):
        raise ValueError("the body is not a PDF document: it does not start with %PDF-")
    return response.content.decode("latin-1")


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _problem(response: Any) -> Problem | None:
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _value_at(body: Any, path: str) -> Any:
    """The request body value at a problem's `field` (`card.exp_year`, `user_ids[0]`)."""
    node = body
    for part in path.replace("[", ".").replace("]", "").split("."):
        if part == "":
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _malformed_date(case: Any, problem: Problem) -> bool:
    """Whether the query parameter a problem names holds something other than a YYYY-MM-DD date."""
    value = (case.query or {}).get(problem.get("parameter") or "")
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return True
    return not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)


_SPEC: dict[str, Any] | None = None


def _declares_unique_user_ids(case: Any) -> bool:
    """Whether the contract ($CONTRACT_SPEC) says this operation's `user_ids` are unique."""
    global _SPEC
    if _SPEC is None:
        with open(os.environ["CONTRACT_SPEC"], encoding="utf-8") as f:
            _SPEC = json.load(f)
    operation = _SPEC["paths"][case.operation.path][case.method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = _SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return bool(schema["properties"]["user_ids"].get("uniqueItems"))


def _content_type(response: Any) -> str:
    values = response.headers.get("content-type") or [""]
    return values[0].split(";")[0].strip().lower()


def _is_integral_float(value: Any) -> bool:
    return isinstance(value, float) and value.is_integer()


def _safe(predicate: Callable[..., bool], *args: Any) -> bool:
    try:
        return bool(predicate(*args))
    except Exception:  # a rule that cannot evaluate does not forgive anything
        return False


def _log(kind: str, rule_id: str, case: Any, response: Any, problem: Problem | None) -> None:
    path = os.environ.get("CONTRACT_ST_LOG")
    if not path:
        return
    entry = {
        "kind": kind,
        "rule": rule_id,
        "operation": case.operation.label,
        "status": response.status_code,
        "code": (problem or {}).get("code"),
        "field": (problem or {}).get("field") or (problem or {}).get("parameter"),
    }
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
