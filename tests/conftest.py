import os

import pytest
from hypothesis import settings

os.environ.setdefault("KERAS_BACKEND", "jax")

# Property-based tests draw the same cases on every run and machine, so CI is reproducible.
settings.register_profile("reproducible", derandomize=True, database=None, deadline=None)
settings.load_profile("reproducible")


#: Environment variables of tsforecast that are not options.
NOT_OPTIONS = ("TSFORECAST_NO_COMPILATION_CACHE", "TSFORECAST_CACHE_DIR")


@pytest.fixture(scope="session", autouse=True)
def no_compilation_cache(tmp_path_factory):
    """Commands run by the tests (and their subprocesses) leave the user's compilation cache
    alone (the tests of the cache switch it back on where they need it), and read neither
    the user's config file nor option values from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TSFORECAST_NO_COMPILATION_CACHE", "1")
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-home")))
        for name in os.environ:
            if name.startswith("TSFORECAST_") and name not in NOT_OPTIONS:
                patch.delenv(name)
        yield
