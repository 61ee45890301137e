"""Speed and memory benchmarks, run by `make bench`; each module measures one stage."""
