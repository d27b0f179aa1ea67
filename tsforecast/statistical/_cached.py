"""statsmodels results as a cache of the plain fitted state.

The statistical forecasters keep only plain fitted state (parameter arrays, orders, the
training values), so a fitted forecaster pickles and persists without statsmodels objects.
The statsmodels results object is a cache, ``_cache_results``: left out when pickling or
copying, and rebuilt from the plain state by ``_rebuild_results`` on first use.
"""

from tsforecast.statistical._context import quiet_statsmodels

__all__ = ["CachedResultsMixin"]


class CachedResultsMixin:
    """``_results()`` from the cache or ``_rebuild_results()``; the cache is never pickled."""

    def __getstate__(self):
        state = super().__getstate__()
        return {key: value for key, value in state.items() if not key.startswith("_cache")}

    def _results(self):
        results = getattr(self, "_cache_results", None)
        if results is None:
            with quiet_statsmodels():
                results = self._rebuild_results()
            self._cache_results = results
        return results

    def _rebuild_results(self):
        raise NotImplementedError
