"""German/English text analysis for search: no Django or web imports (see analysis.py)."""
