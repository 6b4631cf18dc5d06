"""The charts: the address-level flow chart (:mod:`.flow`, laid out by :mod:`.flow_layout` from
the display graph of :mod:`.flow_display`), the entity-level chart, the report's main figure
(:mod:`.entity_chart`, from the model in :mod:`.entity_flow`), the Sankey diagram
(:mod:`.sankey`) and the timeline (:mod:`.timeline`); what they share: the printed page, role
colours and saving with fixed bytes (:mod:`.styles`), labels that never overprint
(:mod:`.label_layout`) and multi-page figure files (:mod:`.figure_files`). Only this family
draws (matplotlib, imported inside the drawing functions)."""

import warnings

__all__: list[str] = []

# A label's character the font has no glyph for (a control, an unusual script) is drawn as the
# font's box; matplotlib's warning would print that character raw on the terminal (issue 32).
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
