"""The direction center's pages; one module per page family, named here for `urls.py`."""
