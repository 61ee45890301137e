"""Next-item models: GRU4Rec and the baselines, all behind one interface."""
