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
# The hello files enter with the first patch, every other new file with
# the second
cat >"$repo/patches/overlay" <<'EOF'
# which patch each new file enters with
0001-readme-test.patch: qi-test/hello.*
0002-license-test.patch: *
EOF
git init -q "$repo"
in_repo config user.name 'tree test'
in_repo config user.email 'tree-test@localhost'
commit_repo 'test repo'

# --- (a) prepare ---

echo "preparing $src (unpacking QEMU takes a while)"
expect "configure prepares the tree" configure
qemu_version=$(cat "$build/qemu-version" 2>&1)
same "BUILD/qemu-version is the tree's VERSION" "$(cat "$src/VERSION" 2>&1)" "$qemu_version"
expect "the QEMU version is 10.0.x" grep -Eqx '10\.0\.[0-9]+' "$build/qemu-version"
pristine_name=$(basename "${QI_TEST_QEMU_SOURCE:-qemu_$qemu_version+ds.orig.tar.xz}")
same "commit chain" "LICENSE: a second test patch
README: say that the tree test changed it
QEMU $qemu_version pristine ($pristine_name)" "$(in_src log --format=%s)"
same "tag" "$(in_src rev-parse HEAD~2)" "$(in_src rev-parse 'qi-pristine^{commit}')"
same "the overlay files enter with the patch patches/overlay says" \
    "qi-test/hello.sh
qi-test/hello.txt" "$(in_src diff-tree -r --name-only --diff-filter=A HEAD~1^ HEAD~1)"
same "the second patch brings no new file yet" "" \
    "$(in_src diff-tree -r --name-only --diff-filter=A HEAD^ HEAD)"
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
same "prepared tree keeps 3 commits" 3 "$(in_src rev-list --count HEAD)"
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

# Bad sources leave the prepared tree as it was, and prepare no new one.
tree_state() {
    in_src rev-parse HEAD && in_src status --porcelain && cat "$build/qemu-version"
}
tree_before=$(tree_state 2>&1)
fresh=$tmp/fresh-build
mkdir -p "$fresh"
in_fresh() {
    (cd "$fresh" && "$@")
}
# misuse_source NAME MESSAGE SOURCE: configure with SOURCE fails with
# MESSAGE, in the prepared build directory and in a new one.
misuse_source() {
    misuse "$1" "$2" --qemu-source="$3"
    same "$1: the prepared tree is unchanged" "$tree_before" "$(tree_state 2>&1)"
    expect_error "$1, in a new build directory" "$2" in_fresh "$repo/configure" \
        --cache-dir="$nocache" --prepare-only --qemu-source="$3"
    same "$1: no half-prepared tree in a new build directory" "" "$(ls -A "$fresh")"
}
mkdir -p "$tmp/qemu-8"
echo 8.0.0 >"$tmp/qemu-8/VERSION"
misuse_source "wrong QEMU version (directory)" \
    "is QEMU 8.0.0; qemu-instr needs QEMU 10.0.x" "$tmp/qemu-8"
# Small tarballs: "QEMU 7.2.0" (a VERSION and a README.rst), the same
# without VERSION, and one that is not a tarball.
mkdir -p "$tmp/tarballs/qemu-7.2.0"
echo 7.2.0 >"$tmp/tarballs/qemu-7.2.0/VERSION"
echo 'not QEMU' >"$tmp/tarballs/qemu-7.2.0/README.rst"
tar -cJf "$tmp/tarballs/qemu-7.2.0.tar.xz" -C "$tmp/tarballs" qemu-7.2.0
rm "$tmp/tarballs/qemu-7.2.0/VERSION"
tar -cJf "$tmp/tarballs/qemu-10.0.2.tar.xz" -C "$tmp/tarballs" qemu-7.2.0
echo 'not a tarball' >"$tmp/tarballs/qemu-10.0.0.tar.xz"
misuse_source "wrong QEMU version (tarball)" \
    "is QEMU 7.2.0; qemu-instr needs QEMU 10.0.x" "$tmp/tarballs/qemu-7.2.0.tar.xz"
misuse_source "corrupt tarball" \
    "qemu-10.0.0.tar.xz is a corrupt tarball" "$tmp/tarballs/qemu-10.0.0.tar.xz"
misuse_source "tarball without a VERSION file" \
    "is not a QEMU source tree (no VERSION file)" "$tmp/tarballs/qemu-10.0.2.tar.xz"

# A fake apt-get: FAKE_APT_INDEX is its answer to indextargets (the file
# of trixie's Sources index; none if empty), FAKE_APT_UPDATE and
# FAKE_APT_SOURCE the shell code of update and of source (which runs in
# the download directory).
mkdir -p "$tmp/fake-apt"
cat >"$tmp/fake-apt/apt-get" <<'EOF'
#!/bin/sh
case $1 in
indextargets) [ -z "$FAKE_APT_INDEX" ] || echo "trixie $FAKE_APT_INDEX" ;;
update) eval "$FAKE_APT_UPDATE" ;;
source) eval "$FAKE_APT_SOURCE" ;;
esac
EOF
chmod +x "$tmp/fake-apt/apt-get"
cache=$tmp/cache
# fake_apt NAME MESSAGE INDEX UPDATE SOURCE: configure with an empty cache
# and that apt-get fails with MESSAGE, caches nothing, and leaves the
# prepared tree as it was.
fake_apt() {
    local name=$1 message=$2
    rm -rf "$cache"
    expect_error "$name" "$message" \
        in_build env PATH="$tmp/fake-apt:$PATH" FAKE_APT_INDEX="$3" \
        FAKE_APT_UPDATE="$4" FAKE_APT_SOURCE="$5" \
        "$repo/configure" --cache-dir="$cache" --prepare-only
    same "$name: nothing cached" "" "$(ls -A "$cache" 2>&1)"
    same "$name: the prepared tree is unchanged" "$tree_before" "$(tree_state 2>&1)"
}
index=$tmp/fake-apt/apt-get       # a file that exists
fake_apt "fetched tarball of another QEMU version" \
    "fetched qemu_10.1.0+ds.orig.tar.xz: QEMU 10.1.0, but qemu-instr needs QEMU 10.0.x" \
    "$index" "" "echo 'not QEMU' >qemu_10.1.0+ds.orig.tar.xz"
fake_apt "fetched tarball that is corrupt" \
    "qemu_10.0.99+ds.orig.tar.xz, fetched by apt-get source, is a corrupt tarball" \
    "$index" "" "echo 'not QEMU' >qemu_10.0.99+ds.orig.tar.xz"
fake_apt "fetched tarball without a VERSION file" \
    "qemu_10.0.98+ds.orig.tar.xz, fetched by apt-get source, is not a QEMU source tree" \
    "$index" "" "cp '$tmp/tarballs/qemu-10.0.2.tar.xz' qemu_10.0.98+ds.orig.tar.xz"
no_network="Temporary failure resolving 'archive.invalid'"
fake_apt "no network for apt-get source" \
    "cannot reach the Debian archive: apt-get source qemu/trixie could not download" \
    "$index" "" "echo 'Err:1 http://archive.invalid/debian trixie/main qemu (tar)'
        echo \"  $no_network\"
        echo \"E: Failed to fetch http://archive.invalid/debian/qemu.orig.tar.xz  $no_network\"
        exit 100"
# configure runs apt-get update for these (through sudo if not root,
# which would not run the fake)
if [ "$(id -u)" = 0 ]; then
    fake_apt "apt-get source failing" "apt-get source qemu/trixie failed" \
        "$index" "" "echo 'E: Unable to find a source package for qemu'; exit 100"
    fake_apt "no network for apt-get update" \
        "cannot reach the Debian archive: apt-get update could not fetch trixie's source index" \
        "$tmp/no-index" "echo 'Err:1 http://archive.invalid/debian trixie InRelease'
            echo \"  $no_network\"" ""
    fake_apt "apt-get update failing" \
        "apt-get update failed to fetch trixie's source index" "$tmp/no-index" \
        "echo 'E: The repository http://archive.invalid/debian trixie Release does not have a Release file.'
            exit 100" ""
fi

# No deb-src entry for trixie, and no entry of the Debian archive to
# derive one from: apt's only source is a third-party archive.
mkdir -p "$tmp/apt/sources.list.d"
cat >"$tmp/apt/sources.list.d/other.sources" <<'EOF'
Types: deb
URIs: https://archive.invalid/other
Suites: nodistro
Components: main
Signed-By: /usr/share/keyrings/other.gpg
EOF
printf 'Dir::Etc::SourceList "%s";\nDir::Etc::SourceParts "%s";\n' \
    "$tmp/apt/sources.list" "$tmp/apt/sources.list.d/" >"$tmp/apt/apt.conf"
APT_CONFIG=$tmp/apt/apt.conf fake_apt "no deb-src entry, and none to derive" \
    "no deb-src entry for trixie in apt's sources, and none can be derived" "" "" ""
same "no deb-src entry was written" "other.sources" "$(ls "$tmp/apt/sources.list.d")"
# One derived from the machine's Debian archive entry of its release,
# not from its security archive's.
cat >"$tmp/apt/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.invalid/debian bookworm main
deb http://mirror.invalid/debian-security bookworm-security main
EOF
same "deb-src entry derived from the Debian archive's" "Types: deb-src
URIs: http://mirror.invalid/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" \
    "$(APT_CONFIG=$tmp/apt/apt.conf PATH="$tmp/fake-apt:$PATH" FAKE_APT_INDEX='' \
        "$repo/build-aux/qi-tree" deb-src-entry --suite=trixie --from-any-suite \
        --base=bookworm 2>&1 | grep -v '^#')"

echo 'clash' >"$repo/LICENSE"
expect_error "overlay file that is a QEMU file" "clashes with QEMU's own files" configure
rm "$repo/LICENSE"
printf '0001-readme-test.patch: qi-test/hello.*\n' >"$repo/patches/overlay"
expect_error "overlay file that enters with no patch" \
    "overlay file qi-test/colleague/notes.txt enters with no patch" configure
printf '0001-readme-test.patch qi-test/*\n' >"$repo/patches/overlay"
expect_error "patches/overlay line without a colon" \
    "patches/overlay:1: expected '<patch>: <pattern> ...'" configure
printf '# comment\nno-such.patch: *\n' >"$repo/patches/overlay"
expect_error "patches/overlay names a patch not in the series" \
    "patches/overlay:2: no-such.patch is not in patches/series" configure
rm "$repo/patches/overlay"
expect_error "no patches/overlay" "patches/overlay: No such file or directory" configure
in_repo checkout -q patches
sed -i 's/^-The QEMU distribution/-The QEMU release/' "$repo/patches/0002-license-test.patch"
expect_error "patch that does not apply" "patches/0002-license-test.patch does not apply" configure
in_repo checkout -q patches

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
