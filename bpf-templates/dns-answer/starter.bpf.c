// dns-answer: report the address of db.lab.test from the DNS responses the target receives.
#include "lab.h"

#define DNS_HEADER 12 /* id, flags and four counts, 2 bytes each */
#define MSG_MAX 512   /* the classic limit of a DNS message over UDP */
#define NAME_LABELS 16
#define RECORDS 8
#define TYPE_A 1

/* db.lab.test as DNS writes it: each label after its length; the string's NUL is the root's 0. */
static const char wanted[] = "\x02"
			     "db"
			     "\x03"
			     "lab"
			     "\x04"
			     "test";

/* recvfrom()'s buffer, from entry (an argument) to exit (where ret says how much arrived). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} receiving SEC(".maps");

/* A response is too big for the 512-byte stack: it is copied into a per-CPU map value. */
struct message {
	__u8 b[MSG_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct message);
} scratch SEC(".maps");

/*
 * The byte at `off`. Check off against the length that arrived first: the mask then changes
 * nothing, but it shows the verifier that the index stays inside the value.
 */
static __always_inline __u32 byte_at(const struct message *m, __u32 off)
{
	return m->b[off & (MSG_MAX - 1)];
}

/*
 * The offset just past the name that starts at `off`, or 0 when it does not end within the
 * `len` bytes that arrived. A global function (__noinline, not static): the verifier checks
 * it once, for any arguments, so it must check m itself.
 */
__noinline __u32 skip_name(const struct message *m, __u32 off, __u32 len)
{
	if (!m)
		return 0;
	/* TODO: walk the labels, at most NAME_LABELS of them: a zero byte ends the name, a byte
	 * >= 0xc0 starts a 2-byte pointer. Check off against len before each read. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	/* TODO: save the buffer (ctx->args[1]) for this thread. */
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	/* TODO: take the saved buffer and delete it; stop unless ret holds at least a header. */
	/* TODO: copy at most ret bytes into the scratch map with bpf_probe_read_user. */
	/* TODO: check that the question is db.lab.test, then walk the answer records and
	 * SUBMIT_NUM the first A record's address, in host order. */
	return 0;
}
