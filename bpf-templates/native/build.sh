#!/bin/sh
# Builds the native side of a run into OUTDIR: the loader (gcc + libbpf + json-c) and the
# dispatcher object (clang, against the generated vmlinux.h in build/include).
# Usage: build.sh OUTDIR    (set-up calls it with build/native)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
include=${LAB_INCLUDE_DIR:-$root/build/include}
mkdir -p "$out"

if [ ! -f "$include/vmlinux.h" ]; then
  echo "build.sh: $include/vmlinux.h is missing (generate it with bpftool first)" >&2
  exit 1
fi

# Build into temporary names and rename: a loader that is running keeps its old binary.
# The dispatcher goes first: a loader opens dispatcher.bpf.o beside it at each run, and an older
# loader works with a newer dispatcher, never the other way round.
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -o "$out/loader.tmp.$$" "$here/loader.c" "$here/netns.c" \
  $(pkg-config --cflags --libs libbpf json-c)
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$include" \
  -c "$here/dispatcher.bpf.c" -o "$out/dispatcher.bpf.o.tmp.$$"
mv -f "$out/dispatcher.bpf.o.tmp.$$" "$out/dispatcher.bpf.o"
mv -f "$out/loader.tmp.$$" "$out/loader"
