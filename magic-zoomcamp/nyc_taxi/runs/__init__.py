"""Which month or dates a run covers, from its variables and how it was started."""
