"""One writer per target; each states in its docstring the slice it owns and how it replaces it."""
