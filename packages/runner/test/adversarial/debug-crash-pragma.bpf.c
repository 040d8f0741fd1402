// expect: refused-static compile
// #pragma clang __debug crash: clang must crash without writing a reproducer.
#include "lab.h"

#pragma clang __debug crash
