"""Generative benchmarks: items from JSONL, "changed paper" transforms, few-shot prompts, greedy
generation with stop strings, answer extraction, accuracy (the seed notes' 评估篇: benchmarks are
used generatively and scored by ACC, never by A/B/C/D likelihood, BLEU or ROUGE)."""
