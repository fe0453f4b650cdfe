#!/usr/bin/env bash
# Installs and starts what the tests need beyond Python: R with glmmTMB, MASS, survival, jsonlite and haven
# (the statistical oracle), Debian's chromium (browser tests), and a running local PostgreSQL.
# Needs root for apt-get; without it, says what is missing and leaves the tests to skip (or fail when CI=true).
set -uo pipefail

need_apt=()
if ! Rscript -e 'for (p in c("glmmTMB","MASS","survival","jsonlite","haven")) library(p, character.only=TRUE)' >/dev/null 2>&1; then
  need_apt+=(r-base-core r-cran-glmmtmb r-cran-mass r-cran-survival r-cran-jsonlite r-cran-haven)
fi
if [ ! -x /usr/bin/chromium ]; then
  need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing system packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null \
      || echo "warning: apt-get could not install ${need_apt[*]}" >&2
  else
    echo "warning: missing ${need_apt[*]} and not root; tests needing them will skip" >&2
  fi
fi

# PostgreSQL: start the local cluster if one is installed but not answering.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    for v in /etc/postgresql/*; do
      pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start 2>/dev/null || true
    done
  fi
fi
exit 0
