// expect: refused-static static/section
// A program in a section the exercise does not allow.
#include "lab.h"

SEC("kprobe/do_sys_openat2")
int adv(void *ctx)
{
	return 0;
}
