"""Evidence: excerpts checked against retrieved texts; rows proposed from a new text (maintainers)."""
