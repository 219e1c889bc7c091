"""The only Spark-aware code: session, Arrow adapter, executor cache, stats, atomic commit, paths."""
