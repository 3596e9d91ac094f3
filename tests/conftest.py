import os
import sys

from hypothesis import settings

sys.path.insert(0, os.path.dirname(__file__))

# In CI the property tests draw the same examples every run (a failure there is reproducible, not a
# roll of the dice); locally they explore new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
