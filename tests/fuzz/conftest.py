"""Hypothesis profiles. By default the examples are derived from the test names (derandomized),
so every run, CI included, tries the same cases and a red run is reproducible. For a fresh
random exploration: ``HYPOTHESIS_PROFILE=explore python3 -m pytest tests/fuzz``."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
