"""Release tools: build, registry, codebook and diff are for maintainers; citation is public (`powdata.cite`)."""
