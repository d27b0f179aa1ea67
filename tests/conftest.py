import os

from hypothesis import settings

os.environ.setdefault("KERAS_BACKEND", "jax")

# Property-based tests draw the same cases on every run and machine, so CI is reproducible.
settings.register_profile("reproducible", derandomize=True, database=None, deadline=None)
settings.load_profile("reproducible")
