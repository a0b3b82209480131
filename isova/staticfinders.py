"""Serve Plotly's JavaScript from the installed plotly package as `vendor/plotly.min.js`.

The file ships inside the Python package we already depend on, so it is neither committed
to the repository nor fetched from a CDN; only that one file is exposed.
"""

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"
_SOURCE_DIR = Path(plotly.__file__).parent / "package_data"


class _VendorStorage(FileSystemStorage):
    prefix = "vendor"  # collectstatic and the finders serve its files under vendor/


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.storage = _VendorStorage(location=str(_SOURCE_DIR))

    def check(self, **kwargs) -> list:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        if path != PLOTLY_JS:
            # Like Django's own finders: [] for "not here", or staticfiles' find() would
            # return [None] for every missing file (and whitenoise would crash on it).
            return []
        match = str(_SOURCE_DIR / "plotly.min.js")
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield "plotly.min.js", self.storage
