// expect: refused-static compile
// __has_include probes which host files exist: inside the sandbox, none does.
#include "lab.h"

#if __has_include("/etc/shadow") || __has_include(</etc/passwd>)
#error found
#else
#error not found
#endif
