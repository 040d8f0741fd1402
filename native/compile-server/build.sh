#!/bin/sh
# Builds the compile server into OUTDIR against Debian's shared libclang-cpp and libLLVM 14
# (libclang-14-dev, libclang-cpp14-dev, llvm-14-dev) and libseccomp (libseccomp-dev).
# Usage: build.sh OUTDIR    (set-up calls it with build/native)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
llvm=/usr/lib/llvm-14
mkdir -p "$out"
# Built under a temporary name and renamed: a running server keeps its old binary.
g++ -O2 -std=c++17 -fno-exceptions -fno-rtti -Wall -Wextra -Wno-unused-parameter \
  -I"$llvm/include" -D_GNU_SOURCE -D__STDC_CONSTANT_MACROS -D__STDC_LIMIT_MACROS \
  -o "$out/compile-server.tmp.$$" \
  "$here/server.cpp" "$here/compile.cpp" "$here/huge-pages.cpp" "$here/worker-jail.cpp" \
  -L"$llvm/lib" -lclang-cpp -lLLVM-14 -lseccomp -Wl,-rpath,"$llvm/lib"
mv -f "$out/compile-server.tmp.$$" "$out/compile-server"
