"""Maintainers' tools: build the descriptor, keep the registry, render the codebook, cite, diff releases."""
