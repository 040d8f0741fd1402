// expect: refused-static static/bad-object
// Top-level asm puts bytes of its own at the start of .BTF.ext.
#include "lab.h"

asm(".section .BTF.ext,\"\",@progbits\n"
    ".short 0xeb9f\n"
    ".byte 1, 0\n"
    ".long 32, 0, 0, 0, 0, 0, 0\n"
    ".text\n");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(1);
	return 0;
}
