"""Benchmarks behind `frankly bench`. Each prints its figures and the machine."""
