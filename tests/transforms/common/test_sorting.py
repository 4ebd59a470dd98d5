"""`sorted_by` orders rows exactly as a plain multi-column sort, whatever the columns hold."""

from datetime import date, datetime

import polars as pl
from hypothesis import assume, given
from hypothesis import strategies as st

from transforms.common.sorting import sorted_by

COLUMNS = {
    "kind": st.sampled_from(["page_view", "form_submission", "email_open", ""]),
    "big": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "small": st.integers(min_value=-3, max_value=3),
    "day": st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    "at": st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),
    "ratio": st.floats(allow_nan=False),
    "id": st.text(alphabet="abc", max_size=3),
}


@st.composite
def frames(draw: st.DrawFn) -> tuple[pl.DataFrame, list[str]]:
    names = draw(st.lists(st.sampled_from(sorted(COLUMNS)), min_size=1, max_size=5, unique=True))
    rows = draw(st.integers(min_value=0, max_value=40))
    data = {name: draw(st.lists(st.one_of(st.none(), COLUMNS[name]), min_size=rows, max_size=rows)) for name in names}
    schema = {
        "kind": pl.String,
        "big": pl.Int64,
        "small": pl.Int8,
        "day": pl.Date,
        "at": pl.Datetime("us"),
        "ratio": pl.Float64,
        "id": pl.String,
    }
    return pl.DataFrame(data, schema={name: schema[name] for name in names}), names


@given(frames())
def test_rows_come_in_the_order_of_a_plain_sort(case):
    frame, columns = case
    assume(frame.height > 1)
    result = sorted_by(frame, columns)
    assert result.select(columns).equals(frame.sort(columns).select(columns))
    # The same rows, only reordered.
    assert result.sort(frame.columns, nulls_last=True).equals(frame.sort(frame.columns, nulls_last=True))


def test_leading_columns_share_one_key_and_the_last_breaks_ties():
    frame = pl.DataFrame(
        {
            "event_type": ["page_view", "email_open", "page_view", None, "email_open"],
            "contact_id": [2, 1, 1, 5, 1],
            "occurred_at": [datetime(2026, 1, 1), datetime(2026, 1, 2), datetime(2026, 1, 1), None, datetime(2026, 1, 2)],
            "event_id": ["e5", "e4", "e3", "e2", "e1"],
        }
    )
    result = sorted_by(frame, ["event_type", "contact_id", "occurred_at", "event_id"])
    assert result["event_id"].to_list() == ["e2", "e1", "e4", "e3", "e5"]
