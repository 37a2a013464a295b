"""Indicator catalog, data access, and the logic that reads targets back out."""
