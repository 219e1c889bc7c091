"""Model scoring: the fastText domain classifier, the fastText quality model and the BERT
quality scorer (training and batched inference). Nothing here knows about Spark."""
