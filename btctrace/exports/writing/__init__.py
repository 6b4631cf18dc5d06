"""The writing machinery every export family uses: atomic writes into the output folder and its
INCOMPLETE marker (:mod:`.atomic`), one rule per output format for untrusted text
(:mod:`.safe_text`), and exports written in forked children beside the parent
(:mod:`.background`). Nothing here knows a trace."""

__all__: list[str] = []
