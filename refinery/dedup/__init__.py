"""Dedup: exact text hashes, MinHash signatures, LSH banding, candidate verification.

Everything here works on Arrow string columns and NumPy arrays and knows nothing of
Spark; ``refinery/spark/dedup.py`` wires it into a job.
"""
