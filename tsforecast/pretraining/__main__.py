"""``python -m tsforecast.pretraining``: rebuild the shipped weights, or pretrain on your panel.

Examples::

    python -m tsforecast.pretraining                        # the shipped weights
    python -m tsforecast.pretraining --exclude tourism      # for a held-out evaluation
    python -m tsforecast.pretraining --panel sales.csv --sources none --out sales.keras

The shipped weights take about 10 minutes on a 2-core CPU (see the README's model card).
"""

import click

from tsforecast.forecasting.pretrained import PRETRAINED_WEIGHTS
from tsforecast.pretraining.corpus import SOURCES


def _read_panel(path, season_length):
    from tsforecast.dataio import read_csv

    data = read_csv(path)
    frame = data.y.to_frame() if data.y.ndim == 1 else data.y
    m = season_length or data.season_length
    return [(frame[c].dropna().to_numpy(dtype=float), int(m)) for c in frame.columns]


@click.command()
@click.option("--out", type=click.Path(dir_okay=False), default=str(PRETRAINED_WEIGHTS),
              show_default=True, help="The .keras file to write.")
@click.option("--sources", default=",".join(SOURCES), show_default=True,
              help="Corpus sources, comma-separated, or 'none' (with --panel).")
@click.option("--exclude", default="", help="Sources to leave out, e.g. 'tourism'.")
@click.option("--panel", type=click.Path(exists=True, dir_okay=False),
              help="A CSV file of your own series (wide or long) added to the corpus.")
@click.option("--season-length", type=int, help="Season length of the --panel series.")
@click.option("--synthetic", "n_synthetic", default=3000, show_default=True,
              help="Number of synthetic series.")
@click.option("--epochs", default=8, show_default=True)
@click.option("--seed", default=0, show_default=True)
def main(out, sources, exclude, panel, season_length, n_synthetic, epochs, seed):
    """Pretrain the recurrent network of PretrainedRNNForecaster."""
    from tsforecast.pretraining.run import pretrain

    chosen = () if sources == "none" else tuple(s for s in sources.split(",") if s)
    excluded = tuple(s for s in exclude.split(",") if s)
    series = _read_panel(panel, season_length) if panel else None
    pretrain(out, sources=chosen, exclude=excluded, panel=series, n_synthetic=n_synthetic,
             epochs=epochs, seed=seed)


if __name__ == "__main__":
    main()
