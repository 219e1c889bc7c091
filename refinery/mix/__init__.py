"""Ratio mixing: channels, token budgets, usage counts, ordering (curriculum, similarity)."""
