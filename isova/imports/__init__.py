"""Data in and out: registers people already keep come in with column and value mapping and a
preview (CSV or XLSX, from the web or `manage.py import_records`), and every register goes out
as CSV or XLSX.

The core holds the engine (`reading`, `engine`, `exporting`); each app offers its registers as
import and export kinds from its `imports.py` (`isova.registry.register_import_kind`).
"""
