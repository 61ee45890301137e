"""Data layer: turn a raw rating log into train/validation/test session logs (`sessrec prep`).

`prepare(source, options, out)` writes a prepared folder; `load_prepared(folder)` reads it back
for every later stage. Two engines implement the same rules: polars (default) and pandas (an
independent reference used to cross-check it).
"""

from sessrec.data.locate import cache_folder, locate_data, resolve_source
from sessrec.data.options import PRESETS, PrepOptions, preset_options
from sessrec.data.prepare import PrepReport, prepare, run_engine
from sessrec.data.prepared import PreparedDataset, load_prepared

__all__ = [
    "PRESETS",
    "PrepOptions",
    "PrepReport",
    "PreparedDataset",
    "cache_folder",
    "load_prepared",
    "locate_data",
    "prepare",
    "preset_options",
    "resolve_source",
    "run_engine",
]
