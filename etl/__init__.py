"""Policy documents → quantified targets in DuckDB."""
