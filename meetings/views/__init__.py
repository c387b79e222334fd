"""The meeting's pages: planning and running it, its documents, the vote taken at it."""
