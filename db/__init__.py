"""Persistence: SQLModel tables and the repositories and unit of work that domain/ asks for."""
