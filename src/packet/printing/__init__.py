"""Class sets and printing: rosters, periods, per-copy stamps, merging and imposing."""
