"""Ingest: read raw inputs (WARC, WET, JSONL, Parquet) into documents."""
