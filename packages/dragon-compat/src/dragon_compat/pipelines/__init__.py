"""Daily and forward pipelines: the job operators run every evening."""
