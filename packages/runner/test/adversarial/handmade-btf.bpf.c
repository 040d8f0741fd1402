// expect: refused-static static/bad-object
// Top-level asm puts a BTF header of its own at the start of .BTF: libbpf and the checks
// would read that one, not clang's.
#include "lab.h"

asm(".section .BTF,\"\",@progbits\n"
    ".short 0xeb9f\n" /* magic */
    ".byte 1, 0\n" /* version, flags */
    ".long 24, 0, 0, 0, 1\n" /* header length, types at 0 (none), strings at 0, 1 byte */
    ".byte 0\n"
    ".text\n");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(1);
	return 0;
}
