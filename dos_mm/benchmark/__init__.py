"""Benchmarks (speed and memory) behind tools/benchmark_speed.py."""
