"""All SQL of the project, one module per concern; `from indicators import store` offers every function below.

Every value reaches the database as a bound parameter or a registered DataFrame; identifiers come only from
fixed names in these modules. The SQL sticks to what PostgreSQL also accepts where that costs nothing, so
replicas sharing one server can run the same statements.
"""
from indicators.store.audit import (  # noqa: F401
    AUDIT_COLUMNS,
    AUDIT_GENESIS,
    SIDE_EVENT_WAIT_SECONDS,
    AuditEvent,
    append_audit,
    audit_actions,
    audit_chain_breaks,
    audit_count,
    audit_entries,
    audit_entry_hash,
    record_audit,
    update_one_and_audit,
)
from indicators.store.builds import (  # noqa: F401
    REBUILT_TABLES,
    BuildTables,
    latest_build_failures,
    replace_build,
)
from indicators.store.connection import (  # noqa: F401
    WRITE_WAIT_SECONDS,
    DatabaseBusy,
    ensure_current_schema,
    file_version,
    insert_frame,
    read_connection,
    reader,
    sql_string,
    writable_copy,
    write_lock,
)
from indicators.store.corrections import (  # noqa: F401
    CORRECTION_COLUMNS,
    add_correction,
    retract_correction,
    stored_corrections,
)
from indicators.store.exports import (  # noqa: F401
    EXPORT_COLUMNS,
    export_rows,
    full_export,
    neutralized_sql,
    reported_values_csv,
)
from indicators.store.people import (  # noqa: F401
    SIGN_IN_WRITE_WAIT_SECONDS,
    USER_COLUMNS,
    LastAdmin,
    PasswordChangedMeanwhile,
    UserChangedMeanwhile,
    UserExists,
    active_admin_count,
    record_failed_sign_in,
    record_sign_in,
    save_user,
    set_password,
    unlock_user,
    user_record,
    users_overview,
    wait_for_write_turn,
)
from indicators.store.reports import (  # noqa: F401
    LATEST_FIRST,
    REPORT_COLUMNS_FOR_PAGES,
    indicator_years,
    latest_reports,
    latest_values_by_key,
    origins,
    region_reports,
    report_years,
    targets_with_latest_reports,
    year_reports,
    yearly_reports,
)
from indicators.store.schema import (  # noqa: F401
    DERIVED_SCHEMA,
    MIGRATIONS,
    SCHEMA,
    create_schema,
)
from indicators.store.submissions import (  # noqa: F401
    SUBMISSION_KEY,
    DuplicateSubmission,
    commit_submission,
    latest_submissions,
    submission_changes,
    submission_record,
    submission_region_codes,
    submission_with_file,
    submissions_overview,
    withdraw_submission,
)
from indicators.store.targets import (  # noqa: F401
    LIBRARY_FILTERS,
    TARGET_COLUMNS_FOR_PAGES,
    coverage_matrix,
    database_summary,
    document_sections,
    documents_by_id,
    documents_for_filter,
    documents_overview,
    indicator_choices,
    indicator_definitions,
    indicator_scopes,
    indicator_targets,
    library_rows,
    national_targets,
    region_choices,
    region_names,
    region_parents,
    region_targets,
    regions_with_data,
    target_detail,
    targets_table,
    template_targets,
)
