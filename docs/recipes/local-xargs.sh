#!/bin/sh
# Shards of one request as parallel processes on one machine (or, with
# `ssh host geosim …` in the command, on several), then the merge.
set -eu
SCENARIO="${SCENARIO:-baseline}"
RUNS="${RUNS:-1000000}"
SHARDS="${SHARDS:-8}"
GEOSIM="${GEOSIM:-geosim}"
seq 0 $((SHARDS - 1)) | xargs -P 4 -I{} "$GEOSIM" run "$SCENARIO" --runs "$RUNS" --shard {}/"$SHARDS" --threads 1 --quiet
"$GEOSIM" merge output/"$SCENARIO"-runs"$RUNS"-shards/*.partial --quiet
