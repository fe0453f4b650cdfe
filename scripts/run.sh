#!/usr/bin/env bash
# The main job of `make run`. Until the web application lands it shows the protocol and a dated visit plan.
set -euo pipefail
BIN=.venv/bin
$BIN/mescams protocol show
$BIN/mescams protocol schedule --randomized-on "$(date +%F)"
