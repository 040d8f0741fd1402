// One compile of BPF C, as `clang -cc1` does it, inside this process.
#pragma once

#include <string>
#include <vector>

// Registers the BPF target with LLVM. Once per process, before anything else.
void initCompiler(const char *argv0);

// Checks the cc1 arguments, parses their -mllvm options (global LLVM state, shared by every
// compile of this process) and, with preloadPch, reads the precompiled header into anonymous
// memory. Returns an error message, or an empty string.
std::string prepareCompiler(const std::vector<const char *> &cc1Args, bool preloadPch);

// Compiles as `clang -cc1 cc1Args`: the input named by the arguments (stdin for "-"), the
// object to stdout, diagnostics to stderr. Returns clang's exit status (0 or 1).
int compileOnce(const std::vector<const char *> &cc1Args, bool releaseMemory);

// Compiles a platform-owned file with the same arguments, output thrown away, so that a later
// compile finds the code paged in, the PCH read and the allocator's memory ready.
int warmUp(const std::vector<const char *> &cc1Args, const char *file);
