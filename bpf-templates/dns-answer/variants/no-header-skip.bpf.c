// Reads the question from the start of the message, forgetting the 12-byte header before it:
// the name never matches.
// expect-fail: asked-name, compressed, cname-first
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
 * The byte at `off`. Callers check off against the length that arrived (at most MSG_MAX), so
 * the mask changes nothing; it is for the verifier, which must see every index stay inside the
 * value and cannot follow off < len <= MSG_MAX (clang even drops a check that says so).
 */
static __always_inline __u32 byte_at(const struct message *m, __u32 off)
{
	return m->b[off & (MSG_MAX - 1)];
}

/* A 16-bit number: big-endian, the first byte is the high one. */
static __always_inline __u32 u16_at(const struct message *m, __u32 off)
{
	return byte_at(m, off) << 8 | byte_at(m, off + 1);
}

/*
 * The offset just past the name that starts at `off`: labels up to a zero byte, or a pointer
 * (2 bytes, top two bits set) to a name elsewhere in the message. 0 when it does not end
 * within the `len` bytes that arrived.
 *
 * A global function (__noinline, not static): the verifier checks it once, for any arguments,
 * instead of once per path through the record loop that calls it, which multiplies beyond
 * what a run may spend. So it must check m itself, and its callers learn only that it
 * returns a number.
 */
__noinline __u32 skip_name(const struct message *m, __u32 off, __u32 len)
{
	if (!m)
		return 0;
	for (int i = 0; i < NAME_LABELS; i++) {
		__u32 c;

		if (off >= len)
			return 0;
		c = byte_at(m, off);
		if (c == 0)
			return off + 1;
		if (c >= 0xc0)
			return off + 2;
		off += c + 1;
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 buf = ctx->args[1]; /* recvfrom(fd, buf, len, flags, from, fromlen) */

	bpf_map_update_elem(&receiving, &id, &buf, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u64 *saved = bpf_map_lookup_elem(&receiving, &id);
	long ret = ctx->ret;
	__u32 zero = 0, len, off, answers;
	const void *buf;
	struct message *m;

	if (!saved)
		return 0;
	buf = (const void *)*saved;
	bpf_map_delete_elem(&receiving, &id);
	/* a failed call (ret < 0) or a message too short for a header holds nothing to read */
	if (ret < DNS_HEADER)
		return 0;
	len = ret > MSG_MAX ? MSG_MAX : ret;
	m = bpf_map_lookup_elem(&scratch, &zero);
	if (!m || bpf_probe_read_user(m->b, len, buf) != 0)
		return 0;

	/* the question comes back right after the header: is it the name we want? */
	off = skip_name(m, 0, len);
	if (off != sizeof(wanted) || off + 4 > len)
		return 0;
	if (bpf_strncmp((const char *)&m->b[0], sizeof(wanted), wanted) != 0)
		return 0;
	off += 4; /* the question's type and class */

	answers = u16_at(m, 6);
	for (int r = 0; r < RECORDS && r < answers; r++) {
		__u32 type, rdlength;

		off = skip_name(m, off, len);
		/* type, class, time to live, data length: 10 bytes, all inside what arrived */
		if (off == 0 || off + 10 > len)
			return 0;
		type = u16_at(m, off);
		rdlength = u16_at(m, off + 8);
		off += 10;
		if (type == TYPE_A && rdlength == 4) {
			if (off + 4 > len)
				return 0;
			/* most significant byte first: 10.1.2.3 is 0x0a010203 */
			SUBMIT_NUM(u16_at(m, off) << 16 | u16_at(m, off + 2));
			return 0;
		}
		off += rdlength; /* a CNAME or another record: step over its data */
	}
	return 0;
}
