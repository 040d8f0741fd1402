// expect: refused-static static/call
// A relocation-less call inside .text that lands in the middle of a function: libbpf calls the
// start of the function holding the target, not the target, so the read past the record that
// the call as written skips would run. The checks refuse calls that do not land on a start.
#include "lab.h"

int entry(void *ctx);

asm(".text\n"
    ".globl entry\n"
    ".type entry,@function\n"
    "entry:\n"
    ".byte 0x85, 0x10, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00\n" /* call +3: the second instruction of next */
    "r0 = 0\n"
    "exit\n"
    ".size entry, .-entry\n"
    ".globl next\n"
    ".type next,@function\n"
    "next:\n"
    "r0 = *(u64 *)(r1 + 4000)\n" /* run by libbpf's link, skipped by the call as written */
    "r0 = 0\n"
    "exit\n"
    ".size next, .-next\n");

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	return entry(ctx);
}
