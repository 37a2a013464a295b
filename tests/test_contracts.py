"""Every table meets the contract written in indicators/contracts.yml, and every table has one."""
import duckdb
import pytest
import yaml

from indicators.paths import INDICATORS_DIR
from indicators.vocabulary import COMPARATORS, DIRECTIONS, FAMILIES, KINDS, LEVELS, ORIGINS, UNITS

CONTRACTS = yaml.safe_load((INDICATORS_DIR / "contracts.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def connection(corpus_database):
    with duckdb.connect(str(corpus_database), read_only=True) as connection:
        yield connection


def test_every_table_has_a_contract(connection):
    tables = {name for (name,) in connection.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'").fetchall()}
    assert tables == set(CONTRACTS)


@pytest.mark.parametrize("table", sorted(CONTRACTS))
def test_table_meets_its_contract(connection, table):
    contract = CONTRACTS[table]
    columns = {name for (name,) in connection.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
    named = set(contract.get("unique", [])) | set(contract.get("not_null", [])) | set(contract.get("accepted_values", {})) \
        | set(contract.get("relationships", {}))
    assert named <= columns
    # Identifiers below come from the contract file, never from a user.
    for column in contract.get("unique", []):
        duplicates = connection.execute(
            f"SELECT count(*) FROM (SELECT {column} FROM {table} GROUP BY {column} HAVING count(*) > 1)").fetchone()[0]
        assert duplicates == 0, f"{table}.{column} not unique"
    for column in contract.get("not_null", []):
        nulls = connection.execute(f"SELECT count(*) FROM {table} WHERE {column} IS NULL").fetchone()[0]
        assert nulls == 0, f"{table}.{column} has nulls"
    for column, allowed in contract.get("accepted_values", {}).items():
        found = {value for (value,) in connection.execute(f"SELECT DISTINCT {column} FROM {table}").fetchall()}
        assert found <= set(allowed), f"{table}.{column}: {found - set(allowed)}"
    for column, reference in contract.get("relationships", {}).items():
        other_table, other_column = reference.split(".")
        orphans = connection.execute(
            f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL AND {column} NOT IN "
            f"(SELECT {other_column} FROM {other_table})").fetchone()[0]
        assert orphans == 0, f"{table}.{column} → {reference}: {orphans} orphans"



VOCABULARY_COLUMNS = {"unit": UNITS, "comparator": COMPARATORS, "kind": KINDS, "category": FAMILIES, "family": FAMILIES,
                      "direction": DIRECTIONS, "origin": ORIGINS, "level": LEVELS}


def test_the_contracts_accept_exactly_the_vocabulary():
    """The contract file repeats the vocabulary's words for readers of the YAML; they must not drift apart."""
    checked = 0
    for table, contract in CONTRACTS.items():
        for column, allowed in contract.get("accepted_values", {}).items():
            if column in VOCABULARY_COLUMNS:
                assert set(allowed) == set(VOCABULARY_COLUMNS[column]), f"{table}.{column}"
                checked += 1
    assert checked >= 6
