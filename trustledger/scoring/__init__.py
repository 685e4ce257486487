"""Pure scoring: the trust index, its indicators, EVM, NPS and statistics.

This package imports nothing from Django (only the standard library, numpy and scipy): it takes
plain values and frozen dataclasses and returns frozen dataclasses, so it is tested in
milliseconds without a database and reused unchanged by the backtest. A test enforces this.
"""
