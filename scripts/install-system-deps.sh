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
if ! command -v npm >/dev/null; then
  need_apt+=(npm)  # fetches axe-core below
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

# axe-core, the accessibility rules the browser tests run on every page (tests/e2e/web/axe.py), from npm into
# .axe/ beside the checkout's code (ignored by git), at a pinned version.
AXE_VERSION=4.10.3
if ! grep -qs "\"version\": \"$AXE_VERSION\"" .axe/node_modules/axe-core/package.json; then
  if command -v npm >/dev/null; then
    npm install --no-audit --no-fund --no-save --prefix .axe "axe-core@$AXE_VERSION" >/dev/null \
      || echo "warning: npm could not install axe-core $AXE_VERSION; the accessibility tests will skip" >&2
  else
    echo "warning: npm missing; the accessibility tests will skip" >&2
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
