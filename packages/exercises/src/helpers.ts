// The helper reference shown beside each exercise: only the helpers (and lab.h macros) that
// exercise lists in `helpers`. Written for students, in our words; signatures as in libbpf.
import type { HelperDoc } from '@ebpf-lab/protocol';

const docs: HelperDoc[] = [
  {
    name: 'SUBMIT',
    signature: 'SUBMIT(buf, len)',
    description:
      'Report `len` bytes of a buffer your program holds (a stack array or a map value) as part of ' +
      'the answer. Several calls are joined in order. At most 256 bytes per call; a longer or ' +
      'negative `len` is cut and the record is marked truncated.',
  },
  {
    name: 'SUBMIT_USER',
    signature: 'SUBMIT_USER(ptr, len)',
    description:
      "Read `len` bytes at `ptr` in the target's memory and report them as part of the answer. " +
      'Use it at a moment when those bytes are really there (a read() buffer is filled at exit, ' +
      'not at entry). At most 256 bytes per call.',
  },
  {
    name: 'SUBMIT_NUM',
    signature: 'SUBMIT_NUM(n)',
    description: 'Report a number as the answer. Number exercises expect exactly one per scenario.',
  },
  {
    name: 'DEBUG',
    signature: 'DEBUG("fmt %d", args...)',
    description:
      "Print a line into this run's event stream (not graded). printf-style: %d %u %ld %lu %llx " +
      "%s (a string in your program's memory), at most 12 arguments.",
  },
  {
    name: 'ARG',
    signature: 'ARG(ctx, n)',
    description:
      "In a uprobe, the probed function's `n`-th argument (`n` written as 1 to 6), as a `__u64`: " +
      'x86-64 passes the first six integer or pointer arguments in registers (rdi, rsi, rdx, rcx, ' +
      "r8, r9), and `ctx` holds the registers at the function's first instruction. Cast it to " +
      "what the function declares: `(const char *)ARG(ctx, 1)` is a pointer into the target's " +
      'memory. At a uretprobe those registers hold whatever the function left in them.',
  },
  {
    name: 'RETVAL',
    signature: 'RETVAL(ctx)',
    description:
      'In a uretprobe, the value the probed function returned (register rax), as a `__u64`; cast ' +
      "it to the function's return type, e.g. `(int)RETVAL(ctx)`. The arguments are gone by " +
      'then: keep what you need from the uprobe, in a map keyed by thread.',
  },
  {
    name: 'bpf_ktime_get_ns',
    signature: '__u64 bpf_ktime_get_ns(void)',
    description:
      'Nanoseconds since boot on the monotonic clock (CLOCK_MONOTONIC, not counting suspend): ' +
      'subtract two readings to time something. Not the time of day.',
  },
  {
    name: 'bpf_get_current_pid_tgid',
    signature: '__u64 bpf_get_current_pid_tgid(void)',
    description:
      'Who is running: the upper 32 bits are the process id (the kernel calls it tgid, `getpid()` ' +
      'in user space), the lower 32 bits the thread id. A single-threaded process has both equal.',
  },
  {
    name: 'bpf_get_current_comm',
    signature: 'long bpf_get_current_comm(char *buf, __u32 size)',
    description:
      "Copy the running task's name (at most 16 bytes with the NUL, usually the file name of the " +
      'program it executed) into `buf`. Returns 0 on success.',
  },
  {
    name: 'bpf_get_current_uid_gid',
    signature: '__u64 bpf_get_current_uid_gid(void)',
    description: "The running task's user id in the lower 32 bits and group id in the upper 32.",
  },
  {
    name: 'bpf_probe_read_user',
    signature: 'long bpf_probe_read_user(void *dst, __u32 size, const void *user_ptr)',
    description:
      "Copy `size` bytes from the target's memory into your buffer. Pointers found in syscall " +
      'arguments point into user memory: you cannot dereference them directly. `size` must be ' +
      'known to fit `dst`. Returns 0 on success, a negative error otherwise.',
  },
  {
    name: 'bpf_probe_read_user_str',
    signature: 'long bpf_probe_read_user_str(void *dst, __u32 size, const void *user_ptr)',
    description:
      "Copy a NUL-terminated string from the target's memory, at most `size` bytes including " +
      'the NUL. Returns the length copied *including* the NUL (so "abc" gives 4), or a negative ' +
      'error.',
  },
  {
    name: 'bpf_strncmp',
    signature: 'long bpf_strncmp(const char *s1, __u32 s1_sz, const char *s2)',
    description:
      'Compare your buffer `s1` (at most `s1_sz` bytes) with the constant string `s2`; returns 0 ' +
      'when equal, like strcmp. `s1_sz` must be a constant and `s2` a string literal (read-only). ' +
      'Comparing `sizeof("x")` bytes includes the NUL, so only the whole string matches.',
  },
  {
    name: 'bpf_map_lookup_elem',
    signature: 'void *bpf_map_lookup_elem(void *map, const void *key)',
    description:
      'A pointer to the value stored under `key`, or NULL when there is none: check it before ' +
      'use (the verifier insists). Keys are compared byte by byte, padding included.',
  },
  {
    name: 'bpf_map_update_elem',
    signature:
      'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)',
    description:
      'Store `value` under `key`. `flags`: BPF_ANY (create or replace), BPF_NOEXIST (only create), ' +
      'BPF_EXIST (only replace). Returns 0 on success.',
  },
  {
    name: 'bpf_map_delete_elem',
    signature: 'long bpf_map_delete_elem(void *map, const void *key)',
    description: 'Remove the entry under `key`. Returns 0, or -ENOENT when there was none.',
  },
  {
    name: 'bpf_ntohs',
    signature: '__u16 bpf_ntohs(__u16 x)',
    description:
      'Network to host byte order for 16-bit values (from <bpf/bpf_endian.h>, which lab.h ' +
      'includes). Ports in `struct sockaddr_in` and counts in a DNS header are stored ' +
      'big-endian: the bytes `01 bb` are 443, but x86 reads them as a `__u16` of 47873.',
  },
  {
    name: 'bpf_ntohl',
    signature: '__u32 bpf_ntohl(__u32 x)',
    description:
      'Network to host byte order for 32-bit values. An IPv4 address travels as 4 bytes, most ' +
      'significant first: 10.1.2.3 is `0a 01 02 03`, which x86 reads as the `__u32` 0x0302010a. ' +
      '`bpf_ntohl` turns it into 0x0a010203 (167838211). `bpf_htons` and `bpf_htonl` go the other ' +
      'way.',
  },
  {
    name: 'bounded loops',
    signature: 'for (int i = 0; i < MAX && i < n; i++) { … }',
    description:
      'The verifier accepts a loop only when it can see it end: it follows every iteration, ' +
      'up to 1,000,000 instructions in all. Give each loop a small constant bound beside the ' +
      'real condition (`i < 16 && i < n`), and keep every index into a buffer provably inside ' +
      'it (`if (off >= sizeof(buf) - 2) break;` before `buf[off]`). A loop that walks data by ' +
      'lengths read from that data (`off += len`) with no constant bound is refused as an ' +
      'infinite loop, whatever the data. The verifier follows each path separately: compare a ' +
      'length it does not know (`ret`, a count) in the loop condition rather than inside the ' +
      'body, and put a loop that runs from inside another loop in a global function ' +
      '(`__noinline`, not `static`), which it checks once for any arguments.',
  },
];

const byName = new Map(docs.map((d) => [d.name, d]));

export const HELPER_NAMES: readonly string[] = docs.map((d) => d.name);

/** The reference entries for the given names, in the order given; unknown names are skipped. */
export function helperDocs(names: readonly string[]): HelperDoc[] {
  return names.flatMap((n) => byName.get(n) ?? []);
}
