#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Self-test of the tree tooling: configure's preparation of BUILD/src,
# build-aux/qi-export, and configure's checks of its own options.  Works on
# a scratch copy of the tooling with a dummy overlay file and dummy patches,
# on QEMU's tarball from the cache (fetched on first use), or on
# QI_TEST_QEMU_SOURCE if set.  Ends with "N passed, N failed".

set -u

top=$(cd "$(dirname "$0")/.." && pwd -P)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qi-test-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
repo=$tmp/repo
build=$tmp/build
src=$build/src
passed=0
failed=0

ok() {
    passed=$((passed + 1))
    echo "PASS: $1"
}

not_ok() {
    failed=$((failed + 1))
    echo "FAIL: $1"
    shift
    local line
    for line; do
        echo "    $line"
    done
}

# expect NAME COMMAND...: COMMAND succeeds.
expect() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        not_ok "$name" "command: $*" "output: ${out//$'\n'/$'\n'    }"
    fi
}

# expect_error NAME MESSAGE COMMAND...: COMMAND fails, and its last error
# line ("...: error: ...") contains MESSAGE.
expect_error() {
    local name=$1 message=$2 line
    shift 2
    if "$@" >"$tmp/out" 2>"$tmp/err"; then
        not_ok "$name" "expected failure with: $message" "but it succeeded"
        return
    fi
    line=$(grep ': error: ' "$tmp/err" | tail -n 1)
    case $line in
    *"$message"*) ok "$name" ;;
    *) not_ok "$name" "expected: ...: error: ...$message..." "got: $(cat "$tmp/err")" ;;
    esac
}

# same NAME EXPECTED ACTUAL
same() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "expected: ${2//$'\n'/$'\n'              }" \
            "got:      ${3//$'\n'/$'\n'              }"
    fi
}

source_args=()
[ -z "${QI_TEST_QEMU_SOURCE:-}" ] || source_args=(--qemu-source="$QI_TEST_QEMU_SOURCE")

configure() {
    in_build "$repo/configure" ${source_args[@]+"${source_args[@]}"} \
        --prepare-only "$@"
}

export_tree() {
    "$repo/build-aux/qi-export" --build="$build"
}

in_build() {
    (cd "$build" && "$@")
}

in_src() {
    git -C "$src" "$@"
}

in_repo() {
    git -C "$repo" "$@"
}

repo_status() {
    in_repo status --porcelain
}

commit_repo() {
    in_repo add -A && in_repo commit -q -m "$1"
}

# --- a scratch repo: the tooling, an overlay file, two patches ---

# Only the tooling: none of the real overlay files nor the real patch queue,
# so that the test does not depend on them.  The series starts empty, with
# its comment header, and lists only the dummy patches below.
mkdir -p "$repo/patches" "$repo/qi-test" "$build"
cp -a "$top/configure" "$top/Makefile" "$top/.gitignore" "$top/build-aux" "$repo/"
awk '!/^[[:space:]]*(#|$)/ { exit } { print }' "$top/patches/series" \
    >"$repo/patches/series"
same "the scratch series starts empty" "" \
    "$(grep -v '^[[:space:]]*\(#\|$\)' "$repo/patches/series")"
echo 'overlay file of the tree test' >"$repo/qi-test/hello.txt"
printf '#!/bin/sh\necho hello\n' >"$repo/qi-test/hello.sh"
chmod +x "$repo/qi-test/hello.sh"
cat >"$repo/patches/0001-readme-test.patch" <<'EOF'
Subject: README: say that the tree test changed it

The tree test needs a patch to check that patches apply,
and the first of two to check that a change lands in the right one.

Forwarded: not-needed
---
diff --git a/README.rst b/README.rst
--- a/README.rst
+++ b/README.rst
@@ -1,6 +1,7 @@
 ===========
 QEMU README
 ===========
+(changed by the qemu-instr tree test)
 
 QEMU is a generic and open source machine & userspace emulator and
 virtualizer.
EOF
cat >"$repo/patches/0002-license-test.patch" <<'EOF'
Subject: LICENSE: a second test patch
---
diff --git a/LICENSE b/LICENSE
--- a/LICENSE
+++ b/LICENSE
@@ -1,4 +1,4 @@
-The QEMU distribution includes both the QEMU emulator and
+[qemu-instr tree test] The QEMU distribution includes both the QEMU emulator and
 various firmware files.  These are separate programs that are
 distributed together for our users' convenience, and they have
 separate licenses.
EOF
printf '%s\n' 0001-readme-test.patch 0002-license-test.patch >>"$repo/patches/series"
git init -q "$repo"
in_repo config user.name 'tree test'
in_repo config user.email 'tree-test@localhost'
commit_repo 'test repo'

# --- (a) prepare ---

echo "preparing $src (unpacking QEMU takes a while)"
expect "configure prepares the tree" configure
pristine_name=$(basename "${QI_TEST_QEMU_SOURCE:-qemu_7.2+dfsg.orig.tar.xz}")
same "commit chain" "LICENSE: a second test patch
README: say that the tree test changed it
qemu-instr overlay
QEMU 7.2.0 pristine ($pristine_name)" "$(in_src log --format=%s)"
same "tags" "$(in_src rev-parse HEAD~3 HEAD~2)" \
    "$(in_src rev-parse 'qi-pristine^{commit}' 'qi-overlay^{commit}')"
same "patch commit message" "README: say that the tree test changed it

The tree test needs a patch to check that patches apply,
and the first of two to check that a change lands in the right one.

Forwarded: not-needed
Patch-Name: 0001-readme-test.patch" "$(in_src log -1 --format=%B HEAD~1)"
same "overlay file copied" "overlay file of the tree test" \
    "$(cat "$src/qi-test/hello.txt" 2>&1)"
expect "overlay file keeps its mode" test -x "$src/qi-test/hello.sh"
expect "patch applied" grep -q '^(changed by the qemu-instr tree test)$' "$src/README.rst"
expect "project files are not overlay files" \
    test ! -e "$src/build-aux" -a ! -e "$src/patches"
same "prepared tree is clean" "" "$(in_src status --porcelain)"

# --- (b) export without edits ---

expect "export without edits" export_tree
same "export without edits leaves the repo clean" "" "$(repo_status)"

# --- (c) uncommitted edit of a patched file ---

echo 'folded line' >>"$src/README.rst"
expect "export of an edit to a patched file" export_tree
expect "the edit is folded into its patch" \
    grep -q '^+folded line$' "$repo/patches/0001-readme-test.patch"
same "only that patch changes" " M patches/0001-readme-test.patch" "$(repo_status)"
same "prepared tree is clean after export" "" "$(in_src status --porcelain)"
same "prepared tree keeps 4 commits" 4 "$(in_src rev-list --count HEAD)"
commit_repo 'fold'
same "export again: nothing to do" "qi-export: nothing to export" "$(export_tree 2>&1)"
expect "configure after export: tree up to date" configure

echo 'edit 1' >>"$src/README.rst"
echo 'edit 2' >>"$src/LICENSE"
expect_error "edits of two patches' files are refused" "different patches" export_tree
in_src checkout -q README.rst LICENSE

echo 'unpatched file edit' >>"$src/COPYING"
expect_error "edit of an unpatched QEMU file is refused" "no patch changes yet: COPYING" export_tree
expect "the refusal explains git commit" grep -q 'commit -a' "$tmp/err"
in_src commit -q -a -m 'COPYING: a third patch' -m 'Committed in the prepared tree.'
expect "a new commit becomes a patch" export_tree
same "the new patch is appended to the series" "0003-copying-a-third-patch.patch" \
    "$(tail -n 1 "$repo/patches/series")"
same "new patch file" "Subject: COPYING: a third patch

Committed in the prepared tree.
---
diff --git a/COPYING b/COPYING
--- a/COPYING
+++ b/COPYING" "$(head -n 7 "$repo/patches/0003-copying-a-third-patch.patch")"
commit_repo 'third patch'

# --- (d) new and deleted files ---

mkdir -p "$src/qi-test/new"
echo 'a new file' >"$src/qi-test/new/file.c"
in_src rm -q qi-test/hello.txt
expect "export of a new and a deleted file" export_tree
same "new file in the repo" "a new file" "$(cat "$repo/qi-test/new/file.c" 2>&1)"
same "repo status" "D  qi-test/hello.txt
?? qi-test/new/" "$(repo_status)"
commit_repo 'new file'
same "round trip after all that" "qi-export: nothing to export" "$(export_tree 2>&1)"

# --- files added to the repo after preparing ---

# Export removes a repo file only if the prepared overlay had it and it was
# deleted in the prepared tree: a new file never prepared (say, a
# colleague's uncommitted work) stays.
echo 'work of a colleague' >"$repo/qi-test/untracked.txt"
mkdir -p "$repo/qi-test/colleague"
echo 'more work of a colleague' >"$repo/qi-test/colleague/notes.txt"
colleague() {
    cat "$repo/qi-test/untracked.txt" "$repo/qi-test/colleague/notes.txt" 2>&1
}
colleague_work='work of a colleague
more work of a colleague'
expect "export --check: new repo files are nothing to do" \
    "$repo/build-aux/qi-export" --build="$build" --check
echo 'echo edited in the tree' >>"$src/qi-test/hello.sh"
expect_error "export refuses when the repo changed since preparing" \
    "changed since" export_tree
same "the new repo files survive the refusal" "$colleague_work" "$(colleague)"
expect "export --force with new repo files" \
    "$repo/build-aux/qi-export" --build="$build" --force
same "the new repo files survive the export" "$colleague_work" "$(colleague)"
same "the tree's edit is exported" "echo edited in the tree" \
    "$(tail -n 1 "$repo/qi-test/hello.sh")"
same "repo status with new repo files" " M qi-test/hello.sh
?? qi-test/colleague/
?? qi-test/untracked.txt" "$(repo_status)"
same "export again: the new repo files are still not removed" \
    "qi-export: nothing to export" "$(export_tree 2>&1)"
same "the new repo files survive a second export" "$colleague_work" "$(colleague)"
commit_repo 'files of a colleague'
same "round trip with the new files" "qi-export: nothing to export" "$(export_tree 2>&1)"

# --- re-preparing ---

stamp() {
    stat -c %Y "$src/README.rst" "$src/COPYING" "$src/qi-test/new/file.c" "$src/qi-test/hello.sh"
}
before=$(stamp)
sleep 1.1
echo 'changed in the repo' >>"$repo/qi-test/hello.sh"
expect "configure after a repo change" configure
same "the changed file is updated" "changed in the repo" "$(tail -n 1 "$src/qi-test/hello.sh")"
same "other files keep their mtime" "$(echo "$before" | head -n 3)" "$(stamp | head -n 3)"
commit_repo 'repo change'

echo 'not exported' >>"$src/qi-test/new/file.c"
expect_error "configure refuses to drop edits" "not exported" configure
expect "--force-prepare drops them" configure --force-prepare
same "edit dropped" "a new file" "$(cat "$src/qi-test/new/file.c")"

# --- (e) configure misuse ---

nocache=$tmp/no-cache
misuse() {
    local name=$1 message=$2
    shift 2
    expect_error "$name" "$message" in_build "$repo/configure" \
        --cache-dir="$nocache" "$@"
}
misuse "unknown mode" "unknown --with-trace-instrument mode 'fast'" \
    --with-trace-instrument=fast
misuse "static without a path" "needs --with-trace-instrument-path" \
    --with-trace-instrument=static
misuse "path with dynamic mode" "needs --with-trace-instrument=static" \
    --with-trace-instrument-path="$tmp"
misuse "path with none mode" "needs --with-trace-instrument=static" \
    --with-trace-instrument=none --with-trace-instrument-path="$tmp"
misuse "path not a directory" "is not a directory" \
    --with-trace-instrument=static --with-trace-instrument-path="$tmp/nowhere"
misuse "events file missing" "cannot read '$tmp/nowhere.txt'" \
    --with-instrument-events="$tmp/nowhere.txt"
misuse "option without a value" "needs a value" --with-trace-instrument
expect "nothing fetched before those checks" test ! -e "$nocache"
misuse "missing QEMU source" "does not exist" --qemu-source="$tmp/nowhere.tar.xz"
mkdir -p "$tmp/qemu-8"
echo 8.0.0 >"$tmp/qemu-8/VERSION"
misuse "wrong QEMU version" "needs QEMU 7.2.x" --qemu-source="$tmp/qemu-8"

# An apt-get that fetches a wrong tarball.
mkdir -p "$tmp/bad-apt"
cat >"$tmp/bad-apt/apt-get" <<'EOF'
#!/bin/sh
case $1 in
indextargets) echo "bookworm $0" ;;
source) echo 'not QEMU' >qemu_7.2+dfsg.orig.tar.xz ;;
esac
EOF
chmod +x "$tmp/bad-apt/apt-get"
expect_error "fetched tarball with a wrong checksum" \
    "expected 91aca71520040edc40b8d437aa3004dae614f58e286cf653ee8996c07af2962f" \
    in_build env PATH="$tmp/bad-apt:$PATH" "$repo/configure" --cache-dir="$tmp/cache"
expect "a wrong tarball is not cached" test ! -e "$tmp/cache/qemu_7.2+dfsg.orig.tar.xz"

echo 'clash' >"$repo/LICENSE"
expect_error "overlay file that is a QEMU file" "clashes with QEMU's own files" configure
rm "$repo/LICENSE"
sed -i 's/^-The QEMU distribution/-The QEMU release/' "$repo/patches/0002-license-test.patch"
expect_error "patch that does not apply" "patches/0002-license-test.patch does not apply" configure
in_repo checkout -q patches

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
