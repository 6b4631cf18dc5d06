"""Files for other tools, one module per format: ``trace.json`` (:mod:`.trace_json`, also read
back), the CSV tables (:mod:`.tables`, :mod:`.endpoints`, :mod:`.clusters`), the i2/Maltego link
table and entity table in CSV and XLSX (:mod:`.link_table`, :mod:`.xlsx`), GraphML, GEXF, DOT and
Cytoscape JSON (:mod:`.graphml`, :mod:`.gexf`, :mod:`.dot`, :mod:`.cytoscape`, over the shared
plain view of :mod:`.ready`), and the MISP event and TagPack (:mod:`.sharing`)."""

__all__: list[str] = []
