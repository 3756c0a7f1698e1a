"""Downloads of a survey's results: CSV, XLSX, PDF report, raw responses, and a bundle with a manifest."""
from .bundle import BundleJob, manifest_for, sha256, stream_bundle, to_json
from .csvfile import render_csv
from .pdf import render_pdf
from .raw import RawExport, prepare_raw, raw_chunks
from .safe import neutralise
from .xlsx import render_xlsx

__all__ = ["BundleJob", "RawExport", "manifest_for", "neutralise", "prepare_raw", "raw_chunks", "render_csv",
           "render_pdf", "render_xlsx", "sha256", "stream_bundle", "to_json"]
