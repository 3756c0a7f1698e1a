"""The printed phiếu drawn on and degraded without a database: shared by tests/paper and bench/scan_accuracy.py."""
