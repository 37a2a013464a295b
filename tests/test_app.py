"""AppTest for the home page, against a temporary database built from the corpus."""
import pytest
from streamlit.testing.v1 import AppTest

from etl.paths import REPO_DIR


@pytest.fixture
def home(corpus_database, monkeypatch):
    monkeypatch.setenv("BIZENV_DB", str(corpus_database))
    app = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=30)
    return app.run()


def test_home_shows_what_the_database_holds(home):
    assert not home.exception
    assert home.title[0].value == "营商环境改革目标追踪"
    metrics = {metric.label: metric.value for metric in home.metric}
    assert metrics["政策文件"] == "22"
    assert int(metrics["量化表述"]) > 100


def test_family_filter_narrows_the_statements(home):
    everything = len(home.dataframe[1].value)
    home.selectbox(key="family").select("power_connection").run()
    assert not home.exception
    power = home.dataframe[1].value
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
