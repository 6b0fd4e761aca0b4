"""The law as data: rule files and their models (criteria, project types, safety distances, siting)."""
