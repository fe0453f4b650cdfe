#!/usr/bin/env bash
# The main job of `make run`: the EDC in demo mode on http://127.0.0.1:8000.
# Migrates the SQLite database under MESCAMS_DATA_DIR (default ./data), loads the demo trial into an empty
# database (printing the demo log-ins), then serves the web application with gunicorn on 127.0.0.1 only.
set -euo pipefail
BIN=.venv/bin
export MESCAMS_DEMO="${MESCAMS_DEMO:-1}"
export MESCAMS_DATA_DIR="${MESCAMS_DATA_DIR:-./data}"
HOST="${MESCAMS_HOST:-127.0.0.1}"
PORT="${MESCAMS_PORT:-8000}"
mkdir -p "$MESCAMS_DATA_DIR"
$BIN/mescams migrate
if $BIN/python - <<'PY'
from mescams.edc.settings import configure
configure()
from mescams.edc.trial.models import Participant
raise SystemExit(0 if Participant.objects.exists() else 1)
PY
then
  echo "Database $MESCAMS_DATA_DIR/mescams.sqlite3 already holds a trial; demo log-ins: user names coordinator,"
  echo "coordinator.wpg, investigator, rater, mri, lab, statistician, datamanager, dsmb, admin, monitor; password"
  echo "demo-<user>-2015"
else
  $BIN/mescams demo load
fi
echo
echo "MESCAMS EDC: http://$HOST:$PORT/  (API: http://$HOST:$PORT/api/docs, OpenAPI: /api/openapi.json)"
echo "Log in at http://$HOST:$PORT/accounts/login/ with one of the demo log-ins above. Ctrl-C stops the server."
exec $BIN/mescams serve --host "$HOST" --port "$PORT"
