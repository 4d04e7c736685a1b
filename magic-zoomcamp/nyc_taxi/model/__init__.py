"""What a trip is: each taxi type's columns, the cleaning rules, and the per-date summary of a month."""
