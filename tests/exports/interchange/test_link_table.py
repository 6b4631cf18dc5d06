"""The link table and the entity table in the i2/Maltego shape."""

import pandas as pd

from btctrace.exports.interchange.link_table import LINK_COLUMNS


def test_link_table_has_one_row_per_transfer_in_the_i2_shape(written):
    folder, _, graph = written
    links = pd.read_csv(folder / "link_table.csv", dtype=str, keep_default_na=False)
    assert list(links.columns) == LINK_COLUMNS and len(links) == graph.number_of_edges()
    assert set(links["From_Type"]) | set(links["To_Type"]) == {"BTCAddress", "BTCTransaction"}
    assert (links["Amount_USD"] == "n/a").all(), "no price known: n/a, never 0"
    assert links["Time_UTC"].str.fullmatch(r"\d\d:\d\d:\d\d").all()
