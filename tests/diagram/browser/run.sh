#!/bin/sh
# run.sh FILE.mmd[=Name,...]... - render sinew's Mermaid diagrams in headless Chromium
# (CTest: diagram_mermaid_browser). Needs Debian's chromium (installed here when run as root;
# otherwise the install command is printed and the test fails: it is never skipped), node and
# npm. The npm packages pinned in package-lock.json go to $SINEW_BROWSER_WORKDIR (default
# ./mermaid-browser under the current directory, which CTest makes the build directory) and are
# installed again only when the lock file changes. Screenshots of each diagram land there too.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${SINEW_BROWSER_WORKDIR:-$PWD/mermaid-browser}
chromium=${CHROMIUM:-/usr/bin/chromium}

if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "run.sh: installing chromium" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q chromium >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null; }
    else
        echo "run.sh: $chromium is missing; install it with: sudo apt-get install -y chromium" >&2
        exit 1
    fi
fi
for tool in node npm; do
    command -v $tool >/dev/null 2>&1 || {
        echo "run.sh: $tool is missing; install it with: sudo apt-get install -y nodejs npm" >&2
        exit 1
    }
done

mkdir -p "$work"
if ! cmp -s "$here/package-lock.json" "$work/.installed-lock" || [ ! -d "$work/node_modules" ]; then
    rm -f "$work/.installed-lock"
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    # --ignore-scripts: nothing may download a browser of its own; Debian's chromium is used.
    (cd "$work" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
    cp "$here/package-lock.json" "$work/.installed-lock"
fi

SINEW_NODE_MODULES="$work/node_modules" CHROMIUM="$chromium" \
    exec node "$here/render_test.mjs" --screenshots "$work" "$@"
