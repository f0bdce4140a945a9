#!/bin/bash
# Lighthouse (mobile preset: 4x CPU slowdown, simulated slow 4G) on the phone dashboard, the
# audits list and the customer form, against a release server with the demo data.
# Needs chromium and `npm install lighthouse@12` in $LH_DIR (default /tmp/lh). Run from the repo root:
#   cargo build --release && bash benches/lighthouse.sh
set -euo pipefail
BIN=$PWD/target/release/manyi
LH=${LH_DIR:-/tmp/lh}/node_modules/.bin/lighthouse
D=$(mktemp -d)

$BIN demo --db "$D/manyi.db" > "$D/demo.txt" 2>&1
PASS=$(grep -E "demo-manager" "$D/demo.txt" | awk '{print $NF}')
$BIN serve --db "$D/manyi.db" --addr 127.0.0.1:18095 > "$D/serve.log" 2>&1 &
SRV=$!
trap 'kill $SRV; rm -rf "$D"' EXIT
sleep 2
J="$D/jar"
TOKEN=$(curl -s -c "$J" -b "$J" http://127.0.0.1:18095/login | grep -o 'name="_csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
curl -s -o /dev/null -c "$J" -b "$J" -H "Accept-Language: zh-CN" --data-urlencode "_csrf=$TOKEN" --data-urlencode "username=demo-manager" --data-urlencode "password=$PASS" http://127.0.0.1:18095/login
COOKIE=$(sed "s/^#HttpOnly_//" "$J" | awk '!/^#/ && NF>=7 {printf "%s=%s; ", $6, $7}')
for P in /reports /audits /s/post-purchase?store=S001; do
  "$LH" "http://127.0.0.1:18095$P" --quiet --chrome-flags="--headless --no-sandbox --disable-gpu" \
    --only-categories=performance,accessibility --extra-headers="{\"Cookie\":\"$COOKIE\",\"Accept-Language\":\"zh-CN\"}" \
    --output=json --output-path="$D/lh.json" >/dev/null 2>&1 || true
  node -e '
const r=require(process.argv[1]); const a=r.audits;
console.log(process.argv[2], "perf", Math.round(r.categories.performance.score*100), "a11y", Math.round(r.categories.accessibility.score*100),
 "FCP", a["first-contentful-paint"].displayValue, "LCP", a["largest-contentful-paint"].displayValue, "TBT", a["total-blocking-time"].displayValue,
 "SI", a["speed-index"].displayValue, "DOM", a["dom-size"].numericValue, "bytes", a["total-byte-weight"].numericValue, "final", r.finalDisplayedUrl||r.finalUrl);
' "$D/lh.json" "$P"
done
