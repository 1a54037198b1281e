"""Benchmarks: bulk seeding (`bench.seed`), the scale curve (`bench.scale`) and the load runner."""
