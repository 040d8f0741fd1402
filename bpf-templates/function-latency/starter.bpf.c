// function-latency: a log2 histogram of how long handle_request() takes, in microseconds.
#include "lab.h"

#define SLOTS 32

/* When each call in progress started, by thread (pid_tgid). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} started SEC(".maps");

/* Slot i counts the calls that took [2^i, 2^(i+1)) microseconds. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} latency SEC(".maps");

/* floor(log2(v)), and 0 for 0 and 1 */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		slot++;
	}
	return slot;
}

SEC("uprobe/handle_request")
int on_entry(struct pt_regs *ctx)
{
	/* TODO: keep the time (bpf_ktime_get_ns) in started, under a key that names this call. */
	return 0;
}

SEC("uretprobe/handle_request")
int on_return(struct pt_regs *ctx)
{
	/* TODO: find when this call started, and delete the entry. */
	/* TODO: how long did it take, in microseconds? Which slot is that (log2_slot)? */
	/* TODO: add one to that slot of latency (__sync_fetch_and_add: threads share the slot). */
	return 0;
}
