"""Pretraining of the recurrent network behind :class:`~tsforecast.PretrainedRNNForecaster`.

``python -m tsforecast.pretraining`` rebuilds the shipped weights from their corpus
(:mod:`~tsforecast.pretraining.corpus`) or pretrains on a panel of your own; see
:func:`~tsforecast.pretraining.run.pretrain` and the README's model card.
"""

from tsforecast.pretraining.corpus import SOURCES, competition_series, load_corpus
from tsforecast.pretraining.run import pretrain

__all__ = ["SOURCES", "competition_series", "load_corpus", "pretrain"]
