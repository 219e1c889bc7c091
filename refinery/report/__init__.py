"""HTML report of a pipeline run."""
