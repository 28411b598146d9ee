import { describe, expect, it } from 'vitest';
import { changedLines } from '../../../domain/changed-lines.js';

// `git diff -U0 --no-color base head` with rename detection (git's default), as git 2.39 writes it.
const DIFF_WITH_RENAMES = `diff --git a/assets/logo.png b/assets/logo.png
index d0463d4..3f24bd8 100644
Binary files a/assets/logo.png and b/assets/logo.png differ
diff --git a/assets/icon.bin b/assets/icon.bin
new file mode 100644
index 0000000..bdc955b
Binary files /dev/null and b/assets/icon.bin differ
diff --git a/src/greet.ts b/src/hello.ts
similarity index 75%
rename from src/greet.ts
rename to src/hello.ts
index c6fbaa1..36b9e79 100644
--- a/src/greet.ts
+++ b/src/hello.ts
@@ -2 +2 @@ export function greet(name: string) {
-  return 'hi ' + name;
+  return 'hello ' + name;
diff --git a/src/legacy.ts b/src/legacy.ts
deleted file mode 100644
index b2bbfcb..0000000
--- a/src/legacy.ts
+++ /dev/null
@@ -1,2 +0,0 @@
-export const old = true;
-export const stuff = 1;
diff --git a/src/math.ts b/src/math.ts
index 8c3a5ea..d5d04da 100644
--- a/src/math.ts
+++ b/src/math.ts
@@ -2 +2 @@ export const a = 1;
-export const b = 2;
+export const b = 20;
@@ -7 +7,2 @@ export const f = 6;
-export const g = 7;
+export const f2 = 66;
+export const f3 = 67;
diff --git a/src/new.ts b/src/new.ts
new file mode 100644
index 0000000..1403ad0
--- /dev/null
+++ b/src/new.ts
@@ -0,0 +1,2 @@
+export const n = 1;
+export const m = 2;
diff --git a/src/util.ts b/src/util name.ts
similarity index 100%
rename from src/util.ts
rename to src/util name.ts
`;

// The same change with --no-renames: the rename becomes a deletion and an added file.
const DIFF_WITHOUT_RENAMES = `diff --git a/src/greet.ts b/src/greet.ts
deleted file mode 100644
index c6fbaa1..0000000
--- a/src/greet.ts
+++ /dev/null
@@ -1,3 +0,0 @@
-export function greet(name: string) {
-  return 'hi ' + name;
-}
diff --git a/src/hello.ts b/src/hello.ts
new file mode 100644
index 0000000..36b9e79
--- /dev/null
+++ b/src/hello.ts
@@ -0,0 +1,3 @@
+export function greet(name: string) {
+  return 'hello ' + name;
+}
`;

function fileAt(diff: string, path: string) {
  return changedLines(diff).find((file) => file.path === path);
}

describe('changedLines', () => {
  it('reads every kind of change in a diff with rename detection', () => {
    expect(changedLines(DIFF_WITH_RENAMES)).toEqual([
      { path: 'src/hello.ts', status: 'renamed', lines: [2] },
      { path: 'src/math.ts', status: 'modified', lines: [2, 7, 8] },
      { path: 'src/new.ts', status: 'added', lines: [1, 2] },
      { path: 'src/util name.ts', status: 'renamed', lines: [] },
    ]);
  });

  it('collects the added and modified lines of every hunk of a modified file', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'src/math.ts')).toEqual({
      path: 'src/math.ts',
      status: 'modified',
      lines: [2, 7, 8],
    });
  });

  it('reports every line of a new file as changed', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'src/new.ts')).toEqual({ path: 'src/new.ts', status: 'added', lines: [1, 2] });
  });

  it('leaves deleted files out', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'src/legacy.ts')).toBeUndefined();
  });

  it('follows a rename to the new path and reports only the edited lines', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'src/greet.ts')).toBeUndefined();
    expect(fileAt(DIFF_WITH_RENAMES, 'src/hello.ts')).toEqual({ path: 'src/hello.ts', status: 'renamed', lines: [2] });
  });

  it('reports a pure rename, which has no hunks, with no lines', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'src/util name.ts')).toEqual({
      path: 'src/util name.ts',
      status: 'renamed',
      lines: [],
    });
  });

  it('treats a rename as a deletion and a new file when rename detection is off', () => {
    expect(changedLines(DIFF_WITHOUT_RENAMES)).toEqual([{ path: 'src/hello.ts', status: 'added', lines: [1, 2, 3] }]);
  });

  it('leaves binary files out, new or modified', () => {
    expect(fileAt(DIFF_WITH_RENAMES, 'assets/logo.png')).toBeUndefined();
    expect(fileAt(DIFF_WITH_RENAMES, 'assets/icon.bin')).toBeUndefined();
  });

  it('leaves out a binary file sent as a patch with --binary', () => {
    const diff = `diff --git a/assets/font.woff b/assets/font.woff
new file mode 100644
index 0000000000000000000000000000000000000000..bdc955b1e6f8b33b9bda2e3ae1f7e4a5c0f8c4ce
GIT binary patch
literal 2
JcmZQzWB>pF00961

literal 0
HcmV?d00001

`;
    expect(changedLines(diff)).toEqual([]);
  });

  it('keeps a path with spaces, which git ends with a tab in the file header', () => {
    const diff = `diff --git a/src/my dir/a file.ts b/src/my dir/a file.ts
index 1c943a9..985cad8 100644
--- a/src/my dir/a file.ts\t
+++ b/src/my dir/a file.ts\t
@@ -4,0 +5 @@ export const d = 4;
+export const e = 5;
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/my dir/a file.ts', status: 'modified', lines: [5] }]);
  });

  it('decodes a quoted path with octal escapes for its UTF-8 bytes', () => {
    const diff = `diff --git "a/src/na\\303\\257ve \\303\\274n\\303\\257code.ts" "b/src/na\\303\\257ve \\303\\274n\\303\\257code.ts"
new file mode 100644
index 0000000..4171a09
--- /dev/null
+++ "b/src/na\\303\\257ve \\303\\274n\\303\\257code.ts"\t
@@ -0,0 +1 @@
+export const é = 1;
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/naïve ünïcode.ts', status: 'added', lines: [1] }]);
  });

  it('decodes a quoted rename target without hunks', () => {
    const diff = `diff --git a/src/cafe.ts "b/src/caf\\303\\251.ts"
similarity index 100%
rename from src/cafe.ts
rename to "src/caf\\303\\251.ts"
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/café.ts', status: 'renamed', lines: [] }]);
  });

  it('decodes backslashes and quotes that git escapes in a path', () => {
    const diff = `diff --git "a/src/odd\\\\name \\"x\\".ts" "b/src/odd\\\\name \\"x\\".ts"
index 587be6b..b77b4eb 100644
--- "a/src/odd\\\\name \\"x\\".ts"
+++ "b/src/odd\\\\name \\"x\\".ts"
@@ -1,0 +2 @@ x
+y
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/odd\\name "x".ts', status: 'modified', lines: [2] }]);
  });

  it('ignores "No newline at end of file" markers', () => {
    const diff = `diff --git a/src/last.ts b/src/last.ts
index 1c943a9..985cad8 100644
--- a/src/last.ts
+++ b/src/last.ts
@@ -3 +3,2 @@ export const b = 2;
-export const c = 3;
\\ No newline at end of file
+export const c = 30;
+export const d = 4;
\\ No newline at end of file
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/last.ts', status: 'modified', lines: [3, 4] }]);
  });

  it('reports no lines for a hunk that only deletes', () => {
    const diff = `diff --git a/src/math.ts b/src/math.ts
index d5d04da..8c3a5ea 100644
--- a/src/math.ts
+++ b/src/math.ts
@@ -3,2 +2,0 @@ export const b = 2;
-export const c = 3;
-export const d = 4;
`;
    expect(changedLines(diff)).toEqual([{ path: 'src/math.ts', status: 'modified', lines: [] }]);
  });

  it('reports an empty new file and a mode change with no lines', () => {
    const diff = `diff --git a/src/empty.ts b/src/empty.ts
new file mode 100644
index 0000000..e69de29
diff --git a/scripts/run.ts b/scripts/run.ts
old mode 100644
new mode 100755
`;
    expect(changedLines(diff)).toEqual([
      { path: 'src/empty.ts', status: 'added', lines: [] },
      { path: 'scripts/run.ts', status: 'modified', lines: [] },
    ]);
  });

  it('leaves out symlinks and submodules, whose content is a target or a commit id', () => {
    const diff = `diff --git a/link.ts b/link.ts
new file mode 120000
index 0000000..e0d7851
--- /dev/null
+++ b/link.ts
@@ -0,0 +1 @@
+src/math.ts
\\ No newline at end of file
diff --git a/vendor/sub b/vendor/sub
new file mode 160000
index 0000000..575e5c2
--- /dev/null
+++ b/vendor/sub
@@ -0,0 +1 @@
+Subproject commit 575e5c2dd7161d33ca2979be29cf4e7de32ef6a0
`;
    expect(changedLines(diff)).toEqual([]);
  });

  it('reads a committed patch as content, not as more files', () => {
    const diff = `diff --git a/fixtures/change.diff b/fixtures/change.diff
new file mode 100644
index 0000000..3552f3d
--- /dev/null
+++ b/fixtures/change.diff
@@ -0,0 +1,4 @@
+diff --git a/x.ts b/x.ts
+--- a/x.ts
++++ b/x.ts
+@@ -1 +1 @@
`;
    expect(changedLines(diff)).toEqual([{ path: 'fixtures/change.diff', status: 'added', lines: [1, 2, 3, 4] }]);
  });

  it('reads nothing from an empty diff', () => {
    expect(changedLines('')).toEqual([]);
    expect(changedLines('\n')).toEqual([]);
  });
});
