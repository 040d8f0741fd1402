#!/bin/sh
# Builds the native side of a run into OUTDIR: the dispatcher object (clang, against the
# generated vmlinux.h in build/include), its skeleton (bpftool gen skeleton) and the loader
# (gcc + libbpf + json-c + libelf), which carries the dispatcher inside it.
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

sources='main config output files cgroups load map-check hooks host attach resident forked-runs
  kernel-check observe map-dump scenario netns uprobes'

# Everything is built aside and renamed at the end: a loader that is running keeps its binary.
gen=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$gen"' EXIT
clang -g -O2 -target bpf -D__TARGET_ARCH_x86 -I "$include" -I "$here" \
  -c "$here/dispatcher.bpf.c" -o "$gen/dispatcher.bpf.o"
bpftool gen skeleton "$gen/dispatcher.bpf.o" name dispatcher > "$gen/dispatcher.skel.h"
# libbpf, json-c, libelf and zlib linked in statically: a run starts a loader and forks it once
# per scenario, and on this VM mapping and relocating shared libraries costs page faults. libc
# stays shared: the loader finds the libc the targets link (for libc uprobes) as the one it maps.
gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -Wno-format-truncation -I "$gen" \
  -pthread -o "$gen/loader" $(for f in $sources; do echo "$here/$f.c"; done) \
  $(pkg-config --cflags libbpf json-c libelf) \
  -Wl,-Bstatic $(pkg-config --static --libs-only-l libbpf json-c libelf) -Wl,-Bdynamic
mv -f "$gen/dispatcher.bpf.o" "$out/dispatcher.bpf.o"
mv -f "$gen/loader" "$out/loader"
