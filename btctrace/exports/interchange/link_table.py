"""The link table and the entity table, for the tools investigators already use.

- ``link_table.csv`` / ``link_table.xlsx``: one row per transfer (input or output), with from/to
  ids, types and labels, UTC date and time, amounts and txid: the "link table" shape the i2
  Analyst's Notebook and Maltego import wizards map (``formats-and-tools.md`` §4.1-4.2). The
  XLSX has amounts as numbers and UTC dates as dates (:data:`XLSX_TYPES`).
- ``entities.csv`` (and the XLSX's second sheet): one row per address and transaction.

Every row has a non-empty label and a fixed place: sorted rows, no run time.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd

from btctrace.exports.interchange.ready import display_label
from btctrace.exports.interchange.tables import write_csv
from btctrace.exports.interchange.xlsx import write_xlsx
from btctrace.graph import schema as S
from btctrace.graph.flows import node_flows
from btctrace.units import format_btc, format_utc
from btctrace.valuation import Prices

__all__ = ["LINK_COLUMNS", "ENTITY_COLUMNS", "XLSX_TYPES", "link_table", "entity_table", "write_link_tables"]

LINK_COLUMNS = ["From_ID", "From_Type", "From_Label", "To_ID", "To_Type", "To_Label", "Link_Type", "Date_UTC",
                "Time_UTC", "Amount_BTC", "Amount_sats", "Amount_USD", "TxID", "Vin_Vout", "Block_Height", "Hop",
                "Source_API"]
# column -> cell type in link_table.xlsx (numbers and dates a spreadsheet can sum and sort)
XLSX_TYPES = {"Date_UTC": "date", "Time_UTC": "time", "Amount_BTC": "btc", "Amount_sats": "int", "Amount_USD": "usd",
              "Vin_Vout": "int", "Block_Height": "int", "Hop": "int", "First_Seen_UTC": "datetime",
              "Last_Seen_UTC": "datetime", "Received_BTC": "btc", "Sent_BTC": "btc"}
ENTITY_COLUMNS = ["Entity_ID", "Type", "Label", "Role", "Cluster_ID", "Category", "First_Seen_UTC",
                  "Last_Seen_UTC", "Received_BTC", "Sent_BTC"]


def _entity_type(data: dict) -> str:
    return "BTCTransaction" if data[S.KIND] == S.KIND_TX else "BTCAddress"


def link_table(graph: nx.MultiDiGraph, prices: Prices | None = None) -> pd.DataFrame:
    """One row per transfer; inputs run address -> transaction, outputs transaction -> address."""
    prices = prices or Prices()
    columns: dict[str, list] = {name: [] for name in LINK_COLUMNS}  # by column: a quarter of the memory of row dicts
    api_url = graph.graph.get("api_url", "")
    for source, target, data in graph.edges(data=True):
        when = format_utc(data["block_time"])
        a, b = graph.nodes[source], graph.nodes[target]
        row = (source, _entity_type(a), display_label(source, a), target, _entity_type(b), display_label(target, b),
               data["side"], when[:10], when[11:19], format_btc(data["value"]), data["value"],
               prices.usd(data["value"], data["block_time"]), data["txid"], data["index"], data["block_height"],
               data["hop"], api_url)
        for name, value in zip(LINK_COLUMNS, row):
            columns[name].append(value)
    frame = pd.DataFrame(columns, columns=LINK_COLUMNS)
    frame["Block_Height"] = frame["Block_Height"].astype("Int64")
    return frame.sort_values(["Hop", "TxID", "Link_Type", "Vin_Vout"], kind="stable").reset_index(drop=True)


def entity_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    rows = []
    flows = node_flows(graph)
    for node, data in graph.nodes(data=True):
        flow = flows[node]
        rows.append({
            "Entity_ID": node, "Type": _entity_type(data), "Label": display_label(node, data), "Role": data.get("role", ""),
            "Cluster_ID": data.get("cluster", ""), "Category": data.get("category", ""),
            "First_Seen_UTC": format_utc(flow.first_time), "Last_Seen_UTC": format_utc(flow.last_time),
            "Received_BTC": format_btc(flow.received), "Sent_BTC": format_btc(flow.sent),
        })
    return pd.DataFrame(rows, columns=ENTITY_COLUMNS).sort_values(["Type", "Entity_ID"], kind="stable").reset_index(drop=True)


def write_link_tables(graph: nx.MultiDiGraph, folder: Path, prices: Prices | None = None) -> list[Path]:
    """The link table (CSV and XLSX, with the entity table as its second sheet) and ``entities.csv``."""
    paths = [folder / name for name in ("link_table.csv", "link_table.xlsx", "entities.csv")]
    links, entities = link_table(graph, prices), entity_table(graph)
    write_csv(links, paths[0])
    write_xlsx({"links": links, "entities": entities}, paths[1], XLSX_TYPES)
    write_csv(entities, paths[2])
    return paths
