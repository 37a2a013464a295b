"""AppTest for the home page, against a temporary database built from the corpus."""
import pytest
from streamlit.testing.v1 import AppTest

from indicators.paths import REPO_DIR


@pytest.fixture
def home(corpus_database, monkeypatch):
    monkeypatch.setenv("BIZENV_DB", str(corpus_database))
    app = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=30)
    return app.run()


def test_home_shows_what_the_database_holds(home):
    assert not home.exception
    assert home.title[0].value == "营商环境改革目标追踪"
    metrics = {metric.label: metric.value for metric in home.metric}
    assert metrics["政策文件"] == "35"
    assert int(metrics["量化表述"]) > 100


def statements_table(app):
    [table] = [frame.value for frame in app.dataframe if "原文" in frame.value.columns]
    return table


def test_home_shows_attainment_shares_and_coverage(home):
    labels = [metric.label for metric in home.metric]
    assert {"已完成", "逾期未完成", "无报告"} <= set(labels)
    coverage = [frame.value for frame in home.dataframe if "获得电力" in frame.value.columns and "山西省" in frame.value.index]
    assert coverage and coverage[0].loc["山西省", "获得电力"] > 0
    assert len(home.get("download_button")) == 2


def test_family_filter_narrows_the_statements(home):
    everything = len(statements_table(home))
    home.selectbox(key="family").select("power_connection").run()
    assert not home.exception
    power = statements_table(home)
    assert 0 < len(power) < everything
    assert set(power["类别"]) == {"获得电力"}
    assert "办电时间" in set(power["指标"])


def test_language_switch_changes_the_labels(home):
    home.radio(key="language").set_value("en").run()
    assert not home.exception
    assert home.title[0].value == "Business-environment reform tracker"
    assert "Policy documents" in [metric.label for metric in home.metric]


def test_missing_database_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("BIZENV_DB", str(tmp_path / "absent.duckdb"))
    app = AppTest.from_file(str(REPO_DIR / "app.py")).run()
    assert not app.exception
    assert "python -m etl build" in app.warning[0].value
