"""The whole build: every format in, atomic and idempotent DuckDB out, failures named, corrections applied."""
import hashlib

import duckdb
import pandas as pd
import pytest
from conftest import data_digest
from docx import Document

from etl import build as build_module
from etl.build import BuildCheckFailed, build
from etl.cli import main
from indicators.catalog import default_catalog
from indicators.paths import POLICIES_DIR
from indicators.vocabulary import FAMILIES

META = "title: {title}\nissuer: 测试办公厅\nregion: {region}\ndocument_number: 测试〔2021〕1号\nissue_date: 2021-05-01\nsource: 测试\n"
SENTENCE = "2021年底前将企业开办时间压缩至2个工作日以内，低压小微企业办电时间不超过5天。"


def write_meta(folder, stem, title="测试文件", region="青海省"):
    (folder / f"{stem}.meta.yml").write_text(META.format(title=title, region=region), encoding="utf-8")


def file_digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused_and_unchanged(database, before, refusals=1):
    """Every data table as before; the only addition is the audit entry of each refused build."""
    from conftest import data_digest

    from indicators import store

    assert data_digest(database) == before
    actions = list(store.audit_entries(database)["action"])
    assert actions[:refusals] == ["rebuild_refused"] * refusals and actions[refusals] == "rebuild"


def rows(database):
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute("SELECT * FROM targets ORDER BY target_id").df()


def test_corpus_builds_every_document(corpus_build):
    assert corpus_build.ok, corpus_build.failures
    assert corpus_build.files == 5 + 13
    assert corpus_build.documents == 4 + 18 + 13
    assert set(FAMILIES) <= set(corpus_build.targets_by_family)


def test_rebuild_is_idempotent(tmp_path, corpus_database):
    again = tmp_path / "again.duckdb"
    build(POLICIES_DIR, again)
    pd.testing.assert_frame_equal(rows(corpus_database), rows(again))


def test_every_quote_is_an_exact_substring_of_its_source(corpus_database):
    targets = rows(corpus_database)
    sources = {doc: (POLICIES_DIR / doc).read_text(encoding="utf-8").split("\n") for doc in targets["doc"].unique()}
    for row in targets.itertuples():
        line = sources[row.doc][row.line - 1]
        assert line[row.column_offset: row.column_offset + len(row.quote)] == row.quote


def test_database_and_catalog_agree(corpus_database):
    catalog = default_catalog()
    with duckdb.connect(str(corpus_database), read_only=True) as connection:
        used = {code for (code,) in connection.execute("SELECT DISTINCT indicator FROM targets").fetchall()}
        listed = {code for (code,) in connection.execute("SELECT indicator_code FROM indicators").fetchall()}
        families = dict(connection.execute("SELECT indicator_code, family FROM indicators").fetchall())
        mismatched = connection.execute(
            "SELECT count(*) FROM targets t JOIN indicators i ON i.indicator_code = t.indicator WHERE i.family <> t.category"
        ).fetchone()[0]
    assert used <= listed == set(catalog.by_code)
    assert families == {indicator.code: indicator.family for indicator in catalog.indicators}
    assert mismatched == 0


def test_failed_check_leaves_the_previous_database_untouched(tmp_path, monkeypatch):
    database = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, database)
    before = data_digest(database)

    def refuse(*args, **kwargs):
        raise BuildCheckFailed("simulated")

    monkeypatch.setattr(build_module, "check_targets", refuse)
    with pytest.raises(BuildCheckFailed):
        build(POLICIES_DIR, database)
    refused_and_unchanged(database, before)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bizenv.duckdb", "bizenv.duckdb.lock"]


def test_failed_write_leaves_the_previous_database_untouched(tmp_path, monkeypatch):
    database = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, database)
    before = file_digest(database)
    from indicators import store

    original = store.insert_frame

    def fail_on_targets(connection, table, frame):
        if table == "targets":
            raise RuntimeError("disk full")
        original(connection, table, frame)

    monkeypatch.setattr(store.builds, "insert_frame", fail_on_targets)
    with pytest.raises(RuntimeError):
        build(POLICIES_DIR, database)
    assert file_digest(database) == before


def test_reported_values_survive_a_rebuild(tmp_path):
    database = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, database)
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "INSERT INTO reported_values (reported_id, origin, region_code, indicator, period, period_year, value, unit, source) "
            "VALUES ('r1', 'submission', '630000', 'enterprise_startup_time', '2021', 2021, 1.5, 'working_day', 'test')"
        )
    build(POLICIES_DIR, database, samples_dir=None)
    with duckdb.connect(str(database), read_only=True) as connection:
        origins = dict(connection.execute("SELECT origin, count(*) FROM reported_values GROUP BY origin").fetchall())
    assert origins["submission"] == 1 and "sample" not in origins and origins["document"] > 0


def test_statements_of_status_and_samples_become_reported_values(corpus_database):
    with duckdb.connect(str(corpus_database), read_only=True) as connection:
        rate = connection.execute(
            "SELECT value, unit, period, source FROM reported_values WHERE origin = 'document' "
            "AND region_code = '140000' AND indicator = 'online_service_rate' AND scope = '省级行政审批事项'"
        ).fetchall()
        samples = connection.execute(
            "SELECT count(DISTINCT region_code), min(period_year), max(period_year) FROM reported_values WHERE origin = 'sample'"
        ).fetchone()
    assert rate == [(91.0, "percent", "2021", "山西省《“十四五”“六最”营商环境建设规划》")]
    assert samples[0] >= 10 and (samples[1], samples[2]) == (2019, 2022)


def make_docx(path, text):
    document = Document()
    document.add_paragraph("测试文件")
    document.add_paragraph(text)
    document.save(path)


def make_pdf(path, text):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    page = canvas.Canvas(str(path))
    page.setFont("STSong-Light", 10)
    page.drawString(40, 800, text)
    page.save()


def test_every_format_and_every_broken_file_in_one_build(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "plain.txt").write_text("测试文件\n" + SENTENCE + "\n", encoding="utf-8")
    make_docx(folder / "word.docx", SENTENCE)
    (folder / "page.html").write_text(f"<html><body><h1>测试</h1><p>{SENTENCE}</p></body></html>", encoding="utf-8")
    make_pdf(folder / "scan.pdf", SENTENCE)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (folder / "latin1.txt").write_bytes("Café résumé naïve".encode("latin-1") * 20)
    (folder / "mars.txt").write_text(SENTENCE, encoding="utf-8")
    (folder / "no_meta.txt").write_text(SENTENCE, encoding="utf-8")
    for stem in ("plain", "word", "page", "scan", "empty", "binary", "latin1"):
        write_meta(folder, stem)
    write_meta(folder, "mars", region="火星省")
    result = build(folder, tmp_path / "bizenv.duckdb", tmp_path / "none.yml")
    reasons = {failure.file_name: failure.reason for failure in result.failures}
    assert set(reasons) == {"empty.txt", "binary.txt", "latin1.txt", "mars.txt", "no_meta.txt"}
    assert "空" in reasons["empty.txt"] and "二进制" in reasons["binary.txt"] and "编码" in reasons["latin1.txt"]
    assert "火星省" in reasons["mars.txt"] and "元数据" in reasons["no_meta.txt"]
    targets = rows(result.database)
    found = targets.groupby("doc").apply(lambda frame: sorted(zip(frame["value"], frame["unit"])), include_groups=False)
    for doc in ("plain.txt", "word.docx", "page.html", "scan.pdf"):
        assert found[doc] == [(2.0, "working_day"), (5.0, "day")], doc
    assert set(targets.loc[targets["value"] == 5, "category"]) == {"power_connection"}


def test_command_line_build_reports_failures_with_a_non_zero_exit(tmp_path, capsys):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "plain.txt").write_text(SENTENCE, encoding="utf-8")
    write_meta(folder, "plain")
    (folder / "empty.txt").write_bytes(b"")
    write_meta(folder, "empty")
    code = main(["build", "--policies", str(folder), "--db", str(tmp_path / "x.duckdb"), "--quiet",
                 "--corrections", str(tmp_path / "none.yml")])
    captured = capsys.readouterr()
    assert code == 1
    assert "empty.txt" in captured.err and "processing_time" in captured.out


def test_corrections_drop_and_override_with_their_reasons(tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "plain.txt").write_text(SENTENCE, encoding="utf-8")
    write_meta(folder, "plain")
    corrections = tmp_path / "corrections.yml"
    corrections.write_text(
        "- {doc: plain.txt, line: 1, value: 2, unit: working_day, action: override, set: {year: 2022}, reason: 延期}\n"
        "- {doc: plain.txt, line: 1, value: 5, unit: day, action: drop, reason: 重复}\n"
        "- {doc: plain.txt, line: 9, value: 1, unit: day, action: drop, reason: 过时}\n",
        encoding="utf-8",
    )
    result = build(folder, tmp_path / "bizenv.duckdb", corrections)
    targets = rows(result.database)
    assert targets[["value", "year", "correction"]].values.tolist() == [[2.0, 2022, "延期"]]
    assert [(c.line, c.reason) for c in result.unused_corrections] == [(9, "过时")]


def test_shipped_corrections_all_apply(corpus_build):
    assert corpus_build.unused_corrections == []


def test_a_build_that_loads_nothing_is_refused_and_changes_nothing(tmp_path, capsys):
    database = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, database)
    before = data_digest(database)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "broken.txt").write_bytes(b"")
    write_meta(empty, "broken")
    assert main(["build", "--policies", str(empty), "--db", str(database), "--quiet"]) == 2
    assert "没有任何文档可以载入" in capsys.readouterr().err
    assert main(["build", "--policies", str(tmp_path / "missing"), "--db", str(database), "--quiet"]) == 2
    refused_and_unchanged(database, before, refusals=2)


def test_a_build_that_would_lose_most_targets_needs_allow_shrink(tmp_path):
    database = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, database)
    before = data_digest(database)
    small = tmp_path / "small"
    small.mkdir()
    (small / "plain.txt").write_text(SENTENCE, encoding="utf-8")
    write_meta(small, "plain")
    with pytest.raises(build_module.BuildWouldShrink):
        build(small, database)
    refused_and_unchanged(database, before)
    assert build(small, database, allow_shrink=True).targets == 2
