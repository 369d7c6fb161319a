"""Page bodies, imported by the thin page scripts (compiled once, not on every run)."""
