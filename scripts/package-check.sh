#!/usr/bin/env bash
# Is coop a crate others can depend on? Checks, in order:
#
#   1. every feature combination a user can pick builds (`cargo check --lib`
#      per package: no features, default, each feature alone, all features;
#      the list is read from `cargo metadata`, so a new feature is covered
#      without editing this script; combinations that resolve to the same
#      set are checked once);
#   2. the docs build warning-free with every feature, as docs.rs builds them
#      (`[package.metadata.docs.rs] all-features = true`);
#   3. `cargo package --workspace` packages coop and coop-macros together and
#      builds each from its packaged sources (what `cargo publish` uploads);
#   4. the MSRV claim (`rust-version` in Cargo.toml): `cargo +MSRV check --lib`
#      when that toolchain is installed. Installing it is scripts/msrv-check.sh's
#      job (about a minute of download); here a missing toolchain is reported
#      and skipped, so CI stays short.
#
#   scripts/package-check.sh            # all four
#   scripts/package-check.sh --no-msrv  # 1-3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

msrv=yes
[ "${1:-}" = "--no-msrv" ] && msrv=no

t() { # label, command...: runs it and prints its duration
    local label=$1 start=$SECONDS
    shift
    echo "-- $label"
    "$@"
    echo "   ($((SECONDS - start)) s)"
}

# --- 1. feature combinations ------------------------------------------------------
# One line per distinct combination: "<package> <cargo feature flags>".
combos=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
for pkg in meta["packages"]:
    if pkg["id"] not in members:
        continue
    feats = pkg["features"]
    def expand(names):
        # A feature set as the plain features it turns on (default -> its list).
        out, todo = set(), list(names)
        while todo:
            f = todo.pop()
            if f in feats and f not in out:
                out.add(f)
                todo.extend(x for x in feats[f] if not x.startswith("dep:") and "/" not in x)
        out.discard("default")  # a name for other features, not one itself
        return frozenset(out)
    user = sorted(f for f in feats if f != "default")
    candidates = [("--no-default-features", expand([])),
                  ("", expand(["default"]) if "default" in feats else expand([]))]
    candidates += [("--no-default-features --features " + f, expand([f])) for f in user]
    candidates.append(("--all-features", expand(user + (["default"] if "default" in feats else []))))
    seen = set()
    for flags, resolved in candidates:
        if resolved in seen:
            continue
        seen.add(resolved)
        print(pkg["name"], flags)
')
echo "feature combinations to check:"
sed 's/^/   /' <<<"$combos"
while read -r pkg flags; do
    # shellcheck disable=SC2086 # flags are words
    t "cargo check -p $pkg --lib $flags" cargo check --quiet -p "$pkg" --lib $flags
done <<<"$combos"

# --- 2. docs, as docs.rs builds them -------------------------------------------------
t "RUSTDOCFLAGS='-D warnings' cargo doc --no-deps --all-features --workspace" \
    env RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --all-features --workspace

# --- 3. packaging -----------------------------------------------------------------
# Works on a dirty tree too (a developer's uncommitted edits are packaged
# as they are); CI's clone is clean anyway.
t "cargo package --workspace" cargo package --quiet --workspace --allow-dirty

# --- 4. MSRV ------------------------------------------------------------------------
if [ "$msrv" = yes ]; then
    scripts/msrv-check.sh --if-installed
fi
