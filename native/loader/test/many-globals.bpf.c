// Globals in many sections (.data, .bss and twenty .data.* sections, each one map to libbpf) and
// a per-CPU array whose values take 8 MiB on each possible CPU. Every sys_enter_close counts in
// all of them, so a scenario that does not start from the initial values shows.
#include "lab.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2048);
	__type(key, u32);
	__type(value, u8[4096]);
} per_cpu SEC(".maps");

u64 in_bss;
u64 in_data = 1000;
u64 g00 SEC(".data.g00") = 1;
u64 g01 SEC(".data.g01") = 2;
u64 g02 SEC(".data.g02") = 3;
u64 g03 SEC(".data.g03") = 4;
u64 g04 SEC(".data.g04") = 5;
u64 g05 SEC(".data.g05") = 6;
u64 g06 SEC(".data.g06") = 7;
u64 g07 SEC(".data.g07") = 8;
u64 g08 SEC(".data.g08") = 9;
u64 g09 SEC(".data.g09") = 10;
u64 g10 SEC(".data.g10") = 11;
u64 g11 SEC(".data.g11") = 12;
u64 g12 SEC(".data.g12") = 13;
u64 g13 SEC(".data.g13") = 14;
u64 g14 SEC(".data.g14") = 15;
u64 g15 SEC(".data.g15") = 16;
u64 g16 SEC(".data.g16") = 17;
u64 g17 SEC(".data.g17") = 18;
u64 g18 SEC(".data.g18") = 19;
u64 g19 SEC(".data.g19") = 20;

SEC("tp/syscalls/sys_enter_close")
int count_closes(void *ctx)
{
	u32 zero = 0;
	u8 *v = bpf_map_lookup_elem(&per_cpu, &zero);

	if (v)
		v[0]++;
	in_bss++;
	in_data++;
	g00++;
	g01++;
	g02++;
	g03++;
	g04++;
	g05++;
	g06++;
	g07++;
	g08++;
	g09++;
	g10++;
	g11++;
	g12++;
	g13++;
	g14++;
	g15++;
	g16++;
	g17++;
	g18++;
	g19++;
	return 0;
}
