import click


@click.group()
def cli():
    """tsforecast: forecast a time series from a CSV file."""
