#!/bin/sh
# Import yuqing's Kibana saved objects: every *.ndjson of DIR in name order
# (data views first, then dashboards, then rule searches from
# `yuqing rules kibana`), overwriting earlier imports, and make yuqing-docs
# the default data view. Run by the kibana-setup service of docker compose;
# by hand:
#   KIBANA_URL=http://127.0.0.1:5601 ELASTIC_PASSWORD=... sh docker/kibana/import.sh docker/kibana
set -eu

dir="${1:-$(dirname "$0")}"
url="${KIBANA_URL:-http://localhost:5601}"
auth="${ELASTIC_USER:-elastic}:${ELASTIC_PASSWORD:?set ELASTIC_PASSWORD (a user that may write saved objects)}"
data_view="${KIBANA_DEFAULT_DATA_VIEW:-yuqing-docs}"

echo "waiting for Kibana at $url"
tries=0
until curl -sS -u "$auth" "$url/api/status" 2>/dev/null | grep -Eq '"level": ?"available"'; do
  tries=$((tries + 1))
  if [ "$tries" -ge 120 ]; then
    echo "Kibana at $url is not available after 10 minutes" >&2
    exit 1
  fi
  sleep 5
done

for file in "$dir"/*.ndjson; do
  answer=$(curl -sS -u "$auth" -H "kbn-xsrf: yuqing" -X POST \
    "$url/api/saved_objects/_import?overwrite=true" --form "file=@$file")
  case "$answer" in
    *'"success":true'*) echo "imported $(basename "$file")" ;;
    *) echo "import of $file failed: $answer" >&2; exit 1 ;;
  esac
done

curl -sS -f -o /dev/null -u "$auth" -H "kbn-xsrf: yuqing" -H "Content-Type: application/json" -X POST \
  "$url/api/data_views/default" -d "{\"data_view_id\":\"$data_view\",\"force\":true}"
echo "default data view: $data_view"
