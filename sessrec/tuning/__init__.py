"""Hyperparameter search for GRU4Rec (`sessrec tune`): optuna TPE over a TOML search space."""
