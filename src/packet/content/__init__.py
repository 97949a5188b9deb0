"""The packet as written: its files read into a typed model, and their validation."""
