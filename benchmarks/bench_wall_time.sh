#!/usr/bin/env bash
# Wall time of the default `nasforge bench` example (target: under a minute on 2 cores).
set -euo pipefail
out=$(mktemp -d)
start=$(date +%s.%N)
nasforge bench --space nb201 --dataset cifar10 --strategies random,evolution,local,tpe \
  --seeds 20 --budget 300 --output "$out" --no-progress
echo "wall time: $(echo "$(date +%s.%N) - $start" | bc) s"
rm -rf "$out"
