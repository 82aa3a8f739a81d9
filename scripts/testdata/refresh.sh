#!/usr/bin/env bash
# Copies the reference files the tests read from the shared data folder into
# the repository's testdata/, so that a clone with nothing beside it builds
# and passes its tests. Run from anywhere; SHARED defaults to ../shared next
# to the repository. The copies are committed; their sources and licences are
# in testdata/README.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="${SHARED:-$root/../shared}/data"
out="$root/testdata"
mkdir -p "$out"
install -m 0644 "$shared/lieux-mediation-numerique/schema.json" "$out/lieux-mediation-numerique-schema.json"
install -m 0644 "$shared/lieux-mediation-numerique/exemple-valide.csv" "$out/lieux-mediation-numerique-exemple-valide.csv"
install -m 0644 "$shared/iso20022/pain.001.001.03.xsd" "$out/pain.001.001.03.xsd"
# The communes file is 3.5 MB: kept compressed (gzip -n: the same bytes every run).
rm -f "$out/communes-france-2024.csv.gz"; gzip -9 -n -c "$shared/communes/communes-france-2024.csv" > "$out/communes-france-2024.csv.gz"
(cd "$out" && sha256sum lieux-mediation-numerique-schema.json lieux-mediation-numerique-exemple-valide.csv pain.001.001.03.xsd communes-france-2024.csv.gz > SHA256SUMS)
echo "testdata refreshed from $shared"
