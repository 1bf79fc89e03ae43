"""Web pages of data quality, one module per page family: batch runs, discrepancies."""
