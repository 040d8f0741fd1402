// expect: refused-static static/map-count
// Nine .data.* sections: each becomes a map of its own, against the limit of 8.
#include "lab.h"

__u64 g0 SEC(".data.g0") = 1;
__u64 g1 SEC(".data.g1") = 2;
__u64 g2 SEC(".data.g2") = 3;
__u64 g3 SEC(".data.g3") = 4;
__u64 g4 SEC(".data.g4") = 5;
__u64 g5 SEC(".data.g5") = 6;
__u64 g6 SEC(".data.g6") = 7;
__u64 g7 SEC(".data.g7") = 8;
__u64 g8 SEC(".data.g8") = 9;

SEC("tracepoint/syscalls/sys_enter_openat")
int adv(struct trace_event_raw_sys_enter *ctx)
{
	SUBMIT_NUM(g0 + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8);
	return 0;
}
