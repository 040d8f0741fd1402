// Counts reads per (process, fd) in a map with a composite key, and leaves garbage in the key's
// padding on purpose for one entry so the dump shows it.
#include "lab.h"

struct pid_fd_key {
	u64 pid;
	u32 fd;
};

struct read_stat {
	u64 calls;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct pid_fd_key);
	__type(value, struct read_stat);
} reads_by_fd SEC(".maps");

u64 total_reads;

SEC("tp/syscalls/sys_enter_read")
int count_read(struct trace_event_raw_sys_enter *ctx)
{
	struct pid_fd_key key = {};
	struct read_stat zero = {}, *st;

	key.pid = bpf_get_current_pid_tgid() >> 32;
	key.fd = ctx->args[0];
	st = bpf_map_lookup_elem(&reads_by_fd, &key);
	if (!st) {
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&reads_by_fd, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&reads_by_fd, &key);
		if (!st)
			return 0;
	}
	__sync_fetch_and_add(&st->calls, 1);
	__sync_fetch_and_add(&total_reads, 1);
	return 0;
}
