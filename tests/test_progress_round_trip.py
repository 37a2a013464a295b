"""Export → import round trip: values written into a progress sheet come back exactly, whatever they are."""
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.catalog import default_catalog
from indicators.progress.context import ValidationContext
from indicators.progress.layout import COLUMNS
from indicators.progress.template import template_workbook
from indicators.progress.validation import validate_upload
from indicators.regions import default_region_table

REGIONS = {"630000": "青海省", "140000": "山西省", "440100": "广州市", "330784": "永康市"}
INDICATORS = {"enterprise_startup_time": "working_day", "tax_payment_time": "hour", "online_service_rate": "percent",
              "approval_items_reduced": "item"}
CONTEXT = ValidationContext(default_region_table(), default_catalog(), 2025, {})

keys = st.tuples(st.sampled_from(sorted(REGIONS)), st.sampled_from(sorted(INDICATORS)),
                 st.sampled_from(["2019", "2020Q4", "2021", "2022Q1", "2024"]), st.sampled_from([None, "一般登记"]))
values = st.decimals(min_value=0, max_value=100, places=2).map(float)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(st.dictionaries(keys, values, min_size=1, max_size=25))
def test_values_survive_export_and_import(reported):
    rows = pd.DataFrame([
        {"region_code": region, "region": REGIONS[region], "indicator": indicator, "indicator_name": indicator,
         "scope": scope, "unit": INDICATORS[indicator], "period": period, "target": None, "target_source": None,
         "value": value, "as_of": None, "source": "统计数据", "note": None}
        for (region, indicator, period, scope), value in reported.items()
    ], columns=[column.field for column in COLUMNS])
    data = template_workbook(rows)
    result = validate_upload(data, "round_trip.xlsx", CONTEXT)
    assert result.ok, [problem.message() for problem in result.errors]
    back = {(row.region_code, row.indicator, row.period, row.scope): row.value for row in result.rows}
    assert back == reported
