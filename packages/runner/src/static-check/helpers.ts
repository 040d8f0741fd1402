// Which helpers a student's program may call. An allowlist: a helper added to the kernel
// later is refused until someone decides it is safe (docs/architecture.md, section 4).
import { HELPER_NAME_BY_ID } from './helper-ids.ts';

/** Safe for students: their own maps, the ring buffer, the target's user memory, identity. */
export const ALLOWED_HELPERS: readonly string[] = [
  'bpf_map_lookup_elem',
  'bpf_map_update_elem',
  'bpf_map_delete_elem',
  'bpf_map_lookup_percpu_elem',
  'bpf_map_push_elem',
  'bpf_map_pop_elem',
  'bpf_map_peek_elem',
  'bpf_ringbuf_output',
  'bpf_ringbuf_reserve',
  'bpf_ringbuf_submit',
  'bpf_ringbuf_discard',
  'bpf_ringbuf_query',
  'bpf_probe_read_user',
  'bpf_probe_read_user_str',
  'bpf_ktime_get_ns',
  'bpf_ktime_get_boot_ns',
  'bpf_ktime_get_coarse_ns',
  'bpf_jiffies64',
  'bpf_get_prandom_u32',
  'bpf_get_smp_processor_id',
  'bpf_get_numa_node_id',
  'bpf_get_current_pid_tgid',
  'bpf_get_current_uid_gid',
  'bpf_get_current_comm',
  'bpf_get_current_cgroup_id',
  'bpf_snprintf',
  'bpf_strncmp',
];

/** Why the most tempting refused helpers are refused, for the message. */
const REASONS: Record<string, string> = {
  bpf_probe_read_kernel: 'it reads any kernel memory',
  bpf_probe_read_kernel_str: 'it reads any kernel memory',
  bpf_probe_read: "it reads any kernel memory; use bpf_probe_read_user for the target's memory",
  bpf_probe_read_str:
    "it reads any kernel memory; use bpf_probe_read_user_str for the target's memory",
  bpf_probe_write_user: "it writes into other processes' memory",
  bpf_send_signal: 'it can kill processes',
  bpf_send_signal_thread: 'it can kill processes',
  bpf_override_return: 'it changes what the kernel returns',
  bpf_trace_printk: "it writes to the host's shared trace buffer; use DEBUG(...) from lab.h",
  bpf_trace_vprintk: "it writes to the host's shared trace buffer; use DEBUG(...) from lab.h",
  bpf_loop: 'it lets one event run for a very long time',
  bpf_for_each_map_elem: 'it lets one event run for a very long time',
  bpf_get_current_task: 'it exposes kernel memory',
  bpf_get_current_task_btf: 'it exposes kernel memory',
  bpf_tail_call: 'the lab calls your programs itself',
  bpf_d_path: 'it reads kernel memory',
  bpf_sys_bpf: 'it controls BPF itself',
  bpf_kallsyms_lookup_name: 'it exposes kernel addresses',
};

/** Arguments of each allowed helper, by id: a context pointer in a later register is harmless. */
const HELPER_ARGS: Record<number, number> = {
  1: 2,
  2: 4,
  3: 2,
  5: 0,
  7: 0,
  8: 0,
  14: 0,
  15: 0,
  16: 2,
  42: 0,
  80: 0,
  87: 3,
  88: 2,
  89: 2,
  112: 3,
  114: 3,
  118: 0,
  125: 0,
  130: 4,
  131: 3,
  132: 2,
  133: 2,
  134: 2,
  160: 0,
  165: 5,
  182: 3,
  195: 3,
};

/** Arguments the helper takes, assuming all five for an allowed helper this table lacks. */
export function helperArgCount(id: number): number {
  return HELPER_ARGS[id] ?? 5;
}

export function helperName(id: number): string {
  return HELPER_NAME_BY_ID[id] ?? `helper #${id}`;
}

export function refusalReason(name: string): string {
  return REASONS[name] ?? 'it is not on the list of helpers students may use';
}
