"""All SQL of the project: the DuckDB schema, the atomic rebuild of targets, and the read queries.

Every value reaches the database as a bound parameter or a registered DataFrame; identifiers come
only from the fixed names below. The SQL sticks to what PostgreSQL also accepts where that costs
nothing, so replicas sharing one server can run the same statements.
"""
from indicators.store.schema import (  # noqa: F401
    SCHEMA,
    DERIVED_SCHEMA,
    MIGRATIONS,
    create_schema,
)
from indicators.store.connection import (  # noqa: F401
    DatabaseBusy,
    WRITE_WAIT_SECONDS,
    write_lock,
    writable_copy,
    insert_frame,
    file_version,
    reader,
    ensure_current_schema,
    sql_string,
    read_connection,
)
from indicators.store.audit import (  # noqa: F401
    AuditEvent,
    AUDIT_COLUMNS,
    AUDIT_GENESIS,
    audit_entry_hash,
    append_audit,
    SIDE_EVENT_WAIT_SECONDS,
    record_audit,
    audit_entries,
    audit_count,
    audit_chain_breaks,
    audit_actions,
    update_one_and_audit,
)
from indicators.store.builds import (  # noqa: F401
    DERIVED_ORIGINS,
    REBUILT_TABLES,
    BuildTables,
    replace_build,
    latest_build_failures,
)
from indicators.store.targets import (  # noqa: F401
    database_summary,
    targets_table,
    documents_overview,
    document_sections,
    TARGET_COLUMNS_FOR_PAGES,
    indicator_choices,
    indicator_scopes,
    indicator_targets,
    region_record,
    regions_with_data,
    region_targets,
    national_targets,
    LIBRARY_FILTERS,
    library_rows,
    target_detail,
    documents_for_filter,
    coverage_matrix,
    indicator_definitions,
    documents_by_id,
    template_targets,
    region_parents,
    region_choices,
)
from indicators.store.reports import (  # noqa: F401
    LATEST_FIRST,
    REPORT_COLUMNS_FOR_PAGES,
    origins,
    indicator_years,
    latest_reports,
    yearly_reports,
    region_reports,
    targets_with_latest_reports,
    report_years,
    year_reports,
    latest_values_by_key,
)
from indicators.store.submissions import (  # noqa: F401
    DuplicateSubmission,
    SUBMISSION_KEY,
    submission_with_file,
    commit_submission,
    withdraw_submission,
    submissions_overview,
    submission_changes,
    latest_submissions,
    submission_region_codes,
    submission_record,
)
from indicators.store.people import (  # noqa: F401
    SIGN_IN_WRITE_WAIT_SECONDS,
    USER_COLUMNS,
    user_record,
    users_overview,
    active_admin_count,
    UserExists,
    LastAdmin,
    UserChangedMeanwhile,
    save_user,
    set_password,
    unlock_user,
    record_failed_sign_in,
    PasswordChangedMeanwhile,
    record_sign_in,
    wait_for_write_turn,
)
from indicators.store.corrections import (  # noqa: F401
    CORRECTION_COLUMNS,
    stored_corrections,
    add_correction,
    retract_correction,
)
from indicators.store.exports import (  # noqa: F401
    EXPORT_COLUMNS,
    export_rows,
    full_export,
    neutralized_sql,
    reported_values_csv,
)
