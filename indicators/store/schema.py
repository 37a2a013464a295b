"""The tables, as DDL: what the database holds, and the columns added since the first release."""
from __future__ import annotations

import duckdb

SCHEMA = """
CREATE TABLE IF NOT EXISTS regions (
    region_code VARCHAR PRIMARY KEY,      -- GB/T 2260 six-digit code, in use now or retired; 100000 is national
    name VARCHAR NOT NULL,                -- as last used
    level VARCHAR NOT NULL,               -- national, province, prefecture, county
    parent_code VARCHAR,                  -- NULL only for national; for a retired code, its parent in its last year
    name_en VARCHAR,                      -- English name of national, provinces and prefectures; NULL for counties
    valid_from INTEGER,                   -- first year of the code's latest span of use
    valid_until INTEGER,                  -- first year it was no longer in use; NULL while in use
    successor_codes VARCHAR[],            -- the codes that took it over when it was retired; empty while in use
    current_codes VARCHAR[]               -- the codes in use now that cover it; itself while in use
);
CREATE TABLE IF NOT EXISTS indicators (
    indicator_code VARCHAR PRIMARY KEY,
    label_zh VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    evaluation_heading VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    document_id VARCHAR PRIMARY KEY,      -- file name, plus '#<first line>' for parts of a compilation
    doc VARCHAR NOT NULL,                 -- source file name in data/policies
    file_sha256 VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    issuer VARCHAR,
    document_number VARCHAR,
    issue_date DATE,
    issue_year INTEGER,
    region_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    source VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
    target_id VARCHAR PRIMARY KEY,        -- stable hash of where the number stands in its source
    document_id VARCHAR NOT NULL,
    doc VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    column_offset INTEGER NOT NULL,
    section_title VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    scope VARCHAR,
    value DOUBLE NOT NULL,
    value_max DOUBLE,
    unit VARCHAR NOT NULL,
    comparator VARCHAR NOT NULL,
    baseline DOUBLE,
    year INTEGER,
    year_explicit BOOLEAN NOT NULL,
    kind VARCHAR NOT NULL,                -- target or achieved
    quote VARCHAR NOT NULL,
    paragraph VARCHAR NOT NULL,           -- the whole source line, so a quote can be shown in its context
    correction VARCHAR                    -- reason from data/corrections.yml when a hand fix applied
);
CREATE TABLE IF NOT EXISTS builds (
    build_id VARCHAR PRIMARY KEY,
    finished_at TIMESTAMP NOT NULL,
    corpus_sha256 VARCHAR NOT NULL,
    documents INTEGER NOT NULL,
    targets INTEGER NOT NULL,
    failed_files INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS build_failures (
    build_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
-- Reported values come from progress workbooks and are never touched by a rebuild of targets.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL,
    status VARCHAR NOT NULL,              -- active or withdrawn
    stored_path VARCHAR,                  -- where the uploaded file is kept, named by its SHA-256
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR
);
CREATE TABLE IF NOT EXISTS reported_values (
    reported_id VARCHAR PRIMARY KEY,
    origin VARCHAR NOT NULL,              -- document (a status stated in a policy text), sample, or submission
    submission_id VARCHAR,                -- the upload it came from; NULL for document and sample values
    target_id VARCHAR,                    -- the document statement a value was read from, if any
    region_code VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    scope VARCHAR,
    period VARCHAR NOT NULL,              -- 2021 or 2021Q3
    period_year INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    as_of DATE,
    source VARCHAR NOT NULL,
    note VARCHAR,
    state VARCHAR NOT NULL DEFAULT 'current',  -- current, superseded (by a newer upload) or withdrawn
    superseded_by VARCHAR,                -- the submission whose row replaced this one
    replaces VARCHAR                      -- the reported_id this row replaced when it was stored, kept as history
);
-- People who may sign in, and what they may change. Never touched by a rebuild of targets.
CREATE TABLE IF NOT EXISTS users (
    user_name VARCHAR PRIMARY KEY,        -- the sign-in name, the OpenID e-mail, or the proxy's header value
    display_name VARCHAR,
    role VARCHAR NOT NULL,                -- viewer, evaluator or admin
    password_hash VARCHAR,                -- argon2id; NULL for users who sign in through OpenID or the proxy
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,  -- failures in a row since the last success
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    password_changed_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS user_regions (
    user_name VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    with_subregions BOOLEAN NOT NULL,     -- the region's cities and counties too
    PRIMARY KEY (user_name, region_code)
);
-- Corrections to the extraction made by admins in the app; applied on every build after data/corrections.yml.
CREATE TABLE IF NOT EXISTS stored_corrections (
    correction_id VARCHAR PRIMARY KEY,
    doc VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    action VARCHAR NOT NULL,              -- drop or override
    changes VARCHAR NOT NULL,             -- JSON object of the fields an override sets
    reason VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retracted_by VARCHAR,
    retracted_at TIMESTAMP
);
-- Every change, appended in the same transaction as the change itself and never updated or deleted.
-- Each entry's hash covers the previous one's, so an edited or removed entry breaks the chain.
CREATE TABLE IF NOT EXISTS audit_log (
    sequence INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,               -- user name, cli:<os user>, or anonymous
    actor_role VARCHAR,
    sign_in_method VARCHAR,
    action VARCHAR NOT NULL,
    object_id VARCHAR,                    -- submission, user, correction or build concerned
    detail VARCHAR NOT NULL,              -- JSON object
    file_name VARCHAR,
    file_sha256 VARCHAR,
    stored_path VARCHAR,
    previous_hash VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL
);
"""

# Indexes and views, created after MIGRATIONS so they can use columns those add.
DERIVED_SCHEMA = """
CREATE INDEX IF NOT EXISTS reported_by_indicator ON reported_values (indicator, period_year);
-- What every page reads: one value per region, indicator, scope and period from each origin, history left out.
CREATE OR REPLACE VIEW current_reports AS SELECT * FROM reported_values WHERE state = 'current';
CREATE INDEX IF NOT EXISTS targets_by_indicator ON targets (indicator);
"""


# Columns added after the first release, for databases built before them.
MIGRATIONS = (
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS stored_path VARCHAR",
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS withdrawn_at TIMESTAMP",
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS withdrawn_by VARCHAR",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'current'",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS superseded_by VARCHAR",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS replaces VARCHAR",
    # The region history (1981–2024) replaced the 2019 table: regions keep their years and successors.
    "ALTER TABLE regions ADD COLUMN IF NOT EXISTS name_en VARCHAR",
    "ALTER TABLE regions ADD COLUMN IF NOT EXISTS valid_from INTEGER",
    "ALTER TABLE regions ADD COLUMN IF NOT EXISTS valid_until INTEGER",
    "ALTER TABLE regions ADD COLUMN IF NOT EXISTS successor_codes VARCHAR[]",
    "ALTER TABLE regions ADD COLUMN IF NOT EXISTS current_codes VARCHAR[]",
)


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(SCHEMA)
    for statement in MIGRATIONS:
        connection.execute(statement)
    connection.execute(DERIVED_SCHEMA)
