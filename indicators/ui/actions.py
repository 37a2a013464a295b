"""Writes a page starts, run as the signed-in user (each checks the role itself); refusals come back as messages."""
from __future__ import annotations

import pandas as pd

from indicators import accounts, store
from indicators.i18n import label
from indicators.paths import database_path
from indicators.ui import cached
from indicators.ui.frame import plain
from indicators.ui.session import actor, current_language


def run_account_action(function_name: str, *arguments) -> str | None:
    """Call a user or correction function as the current actor (each checks the role itself); the refusal's
    message, or None."""
    from etl import maintenance

    function = {
        "create_user": accounts.create_user, "update_user": accounts.update_user, "unlock": accounts.unlock,
        "reset_password": accounts.reset_password, "add_correction": maintenance.add_correction,
        "retract_correction": maintenance.retract_correction,
    }[function_name]
    try:
        function(database_path(), actor(), *arguments)
    except accounts.AccountError as error:
        return plain(error.message(current_language()))
    except store.DatabaseBusy:
        return label("database_busy", current_language())
    return None


# --- Progress sheets ---------------------------------------------------------------------------

def template_bytes(region_codes: tuple[str, ...], period: str, language_code: str) -> tuple[bytes, int]:
    """The progress template for the regions and period, and its number of rows."""
    from indicators.progress import template as progress_template

    rows = progress_template.template_rows(cached.template_targets(region_codes), list(region_codes), period)
    return progress_template.template_workbook(rows, language_code), len(rows)


def submit_upload(data: bytes, file_name: str):
    """Check and store an upload as the signed-in user (see indicators.progress.submissions.submit); the cached pages see it at once."""
    from indicators.progress.submissions import submit

    return submit(data, file_name, actor(), database_path())


def annotated_upload(data: bytes, outcome, language_code: str) -> bytes:
    from indicators.progress.annotation import annotated_workbook

    return annotated_workbook(data, outcome.validation, language_code)


def can_annotate(outcome) -> bool:
    """False when the file as a whole was refused (not a workbook, too big): there are no cells to mark."""
    from indicators.progress.annotation import can_annotate as workbook_can_be_annotated

    return workbook_can_be_annotated(outcome.validation)


def withdraw_submission(submission_id: str, reason: str) -> tuple[int | None, str | None]:
    """(values restored, None), or (None, why it was refused)."""
    from indicators.progress.submissions import withdraw

    try:
        return withdraw(database_path(), submission_id, actor(), reason=reason or None), None
    except accounts.AccountError as error:
        return None, plain(error.message(current_language()))
    except LookupError:
        return None, label("no_active_submission", current_language())
    except store.DatabaseBusy:
        return None, label("database_busy", current_language())


def may_withdraw(submission_id: str) -> bool:
    from indicators.progress.submissions import may_withdraw as allowed

    return allowed(database_path(), actor(), submission_id)


def problems_table(problems, language_code: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"sheet": problem.sheet, "cell": problem.cell, "value": problem.value,
          "message": problem.message_zh if language_code == "zh" else problem.message_en} for problem in problems],
        columns=["sheet", "cell", "value", "message"],
    )


# --- Maintenance -------------------------------------------------------------------------------

def rebuild_targets(allow_shrink: bool):
    """(build result, None) or (None, why the rebuild was refused); the database is unchanged on refusal."""
    from etl import maintenance
    from etl.build import BuildCheckFailed

    try:
        return maintenance.rebuild(database_path(), actor(), allow_shrink), None
    except accounts.AccountError as error:
        return None, plain(error.message(current_language()))
    except BuildCheckFailed as error:
        return None, plain(error)
    except store.DatabaseBusy:
        return None, label("database_busy", current_language())


def file_corrections_count() -> int:
    from etl.corrections import load_corrections
    from indicators.paths import CORRECTIONS_FILE

    return len(load_corrections(CORRECTIONS_FILE))


def correction_fields() -> dict:
    """The choices an override offers: indicators, units, comparators, kinds."""
    from indicators.catalog import default_catalog
    from indicators.vocabulary import COMPARATORS, KINDS, UNITS

    return {"indicator": [indicator.code for indicator in default_catalog().indicators], "unit": list(UNITS),
            "comparator": list(COMPARATORS), "kind": list(KINDS)}
