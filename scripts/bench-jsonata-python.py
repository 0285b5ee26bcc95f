#!/usr/bin/env python3
"""Reference timing for docs/expressions.md: the record workload of
Tests/JSONataTests/PerformanceTests.swift run with jsonata-python (pip install jsonata-python).
Prints CPU microseconds per record; compare with
`JSONATA_BENCH=1000000 swift test -c release --filter PerformanceTests`."""
import sys
import time

import jsonata

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000


def record(i):
    return {
        "id": i, "title": "Product %d essence mascara" % i, "description": "A nice product", "category": "beauty",
        "price": ((i * 7919) % 200000) / 100 + 1, "discountPercentage": ((i * 104729) % 3000) / 100, "rating": 4.5,
        "stock": (i * 31) % 101, "tags": ["beauty", "mascara"], "brand": "Essence", "sku": "RCH45Q1A", "weight": 2,
        "dimensions": {"width": 23.17, "height": 14.43, "depth": 28.01},
        "availabilityStatus": "Low Stock" if i % 3 == 0 else "In Stock",
    }


records = [record(i) for i in range(N)]
flt = jsonata.Jsonata('stock > 0 and availabilityStatus = "In Stock"')
fields = [jsonata.Jsonata(e) for e in [
    "$round(price * (1 - discountPercentage/100), 2)", "$uppercase(title)",
    'stock > 0 and availabilityStatus = "In Stock"']]
start = time.process_time()
kept = 0
for r in records:
    if flt.evaluate(r) is True:
        kept += 1
        for f in fields:
            f.evaluate(r)
cpu = time.process_time() - start
print("jsonata-python record workload: %d records, %d kept, %.1f µs/record CPU" % (N, kept, cpu / N * 1e6))
