"""Demo data loader (placeholder until the demo data set lands)."""

DEMO_LOGINS: list[tuple[str, str, str]] = []
