// The verifier errors we explain, each checked against a real program on this kernel (see
// fixtures/<class>/). Order matters: the first class that matches wins, so narrower classes
// (write to the context) come before wider ones (context access out of bounds).
import type { ParsedVerifierLog } from './verifier-log.ts';

export interface VerifierClassMatch {
  /** Short headline shown first, e.g. "Missing NULL check". */
  title: string;
  explanation: string;
  suggestion: string;
  /** A better line than the failing instruction's, e.g. where a leaked reference was taken. */
  line?: number;
}

export interface VerifierClass {
  code: `verifier/${string}`;
  /** The message patterns this class recognises, for documentation and tests. */
  patterns: RegExp[];
  explain(log: ParsedVerifierLog, match: RegExpExecArray): VerifierClassMatch;
}

/** The helper named by a `call name#id` instruction, if the failing insn is one. */
function calledHelper(log: ParsedVerifierLog, index?: number): string | undefined {
  const insn = index === undefined ? log.failing : log.insns.get(index);
  const call = insn && /^call ([a-z_0-9]+)#\d+/.exec(insn.text);
  return call?.[1];
}

function isStore(text: string | undefined): boolean {
  return !!text && /^\*\(u(?:8|16|32|64) \*\)\(r\d+ [+-]\d+\) = /.test(text);
}

const helperOr = (name: string | undefined, fallback: string) => (name ? `\`${name}\`` : fallback);

export const VERIFIER_CLASSES: VerifierClass[] = [
  {
    code: 'verifier/null-check',
    patterns: [
      /R(\d+) invalid mem access '(map_value_or_null|[a-z_]*_or_null|ringbuf_mem_or_null)'/,
      /R(\d+) pointer arithmetic on ([a-z_]*_or_null) prohibited/,
    ],
    explain(log, m) {
      const map = new RegExp(`R${m[1]}=${m[2]}\\([^)]*map=(\\w+)`).exec(log.raw)?.[1];
      return {
        title: 'Missing NULL check',
        explanation:
          `This line uses a pointer that may be NULL (register R${m[1]} holds a ${m[2]}` +
          `${map ? ` from map \`${map}\`` : ''}). ` +
          'A map lookup returns NULL when the key is not in the map, and bpf_ringbuf_reserve ' +
          'returns NULL when the buffer is full. The verifier refuses any use of such a pointer ' +
          'until the program has checked it.',
        suggestion:
          'Check the pointer right after the call and leave early when it is NULL: ' +
          '`if (!value) return 0;` then use `value`.',
      };
    },
  },
  {
    code: 'verifier/unbounded-size',
    patterns: [
      /R(\d+) unbounded memory access, use 'var &= const' or 'if \(var < const\)'/,
      /R(\d+) min value is negative, either use unsigned or 'var &= const'/,
    ],
    explain(log, m) {
      const helper = calledHelper(log);
      return {
        title: 'Size without an upper bound',
        explanation:
          `The size passed to ${helperOr(helper, 'this helper')} (argument ${m[1]}) has no ` +
          'upper bound the verifier can see, so it cannot prove the copy stays inside your ' +
          'buffer. Values that come from the kernel (a syscall return, a context field) can be ' +
          'anything until your code limits them.',
        suggestion:
          'Clamp the size just before the call on every path: `if (len > sizeof(buf)) len = ' +
          'sizeof(buf);` (and `if (len <= 0) return 0;`), or mask it: `len &= sizeof(buf) - 1;` ' +
          'with a power-of-two buffer.',
      };
    },
  },
  {
    code: 'verifier/unbounded-index',
    patterns: [
      /R(\d+) unbounded memory access, make sure to bounds check any such access/,
      /R(\d+) (?:min|max) value is outside of the allowed memory range/,
      /R(\d+) min value is negative, either use unsigned index or do a if \(index >=0\) check/,
    ],
    explain(_log, m) {
      return {
        title: 'Index without a bounds check',
        explanation:
          `The address in R${m[1]} is a pointer plus an index the verifier cannot bound, so ` +
          'it might point outside the map value or buffer. Every index computed at run time ' +
          'must be checked against the size of what it indexes.',
        suggestion:
          'Check the index against the array size right before the access, on the same ' +
          'variable: `if (i >= ARRAY_LEN) return 0;` then `arr[i]`. Use an unsigned type for ' +
          'indexes so there is no negative side to check.',
      };
    },
  },
  {
    code: 'verifier/not-constant',
    patterns: [/R(\d+) is not a known constant'?/],
    explain(log, m) {
      const helper = calledHelper(log);
      return {
        title: 'Constant size needed',
        explanation:
          `${helperOr(helper, 'This helper')} needs argument ${m[1]} to be a constant the ` +
          'verifier knows when it checks the program; a size computed at run time is refused ' +
          'even when it is bounded. bpf_ringbuf_reserve is the usual case: records have a fixed ' +
          'size.',
        suggestion:
          'Reserve a fixed-size record (`sizeof(struct event)` or the largest size you need) ' +
          'and store the real length inside it, or copy into a fixed-size buffer first.',
      };
    },
  },
  {
    code: 'verifier/const-string',
    patterns: [/R(\d+) type=\w+ expected=map_value/, /R(\d+) does not point to a readonly map'?/],
    explain(log, m) {
      const helper = calledHelper(log);
      if (helper && helper !== 'bpf_strncmp') {
        return {
          title: 'Map value expected',
          explanation: `Argument ${m[1]} of \`${helper}\` must point into a map value.`,
          suggestion: 'Pass a pointer obtained from a map lookup (checked for NULL).',
        };
      }
      return {
        title: 'Constant string needed',
        explanation:
          `${helperOr(helper, 'bpf_strncmp')} compares against a string that must be known ` +
          'when the program is loaded: a string literal, which the compiler places in a ' +
          `read-only map. Argument ${m[1]} points to memory filled at run time (the stack, here).`,
        suggestion:
          'Compare against a literal: `bpf_strncmp(buf, sizeof(buf), "/tmp/password")`. The ' +
          'size is that of your buffer (a constant), and the literal includes its final NUL, ' +
          'so "/tmp/password.bak" does not match.',
      };
    },
  },
  {
    code: 'verifier/user-pointer-deref',
    patterns: [/R(\d+) invalid mem access '(scalar|inv|user_ptr_[a-z_]*|untrusted_ptr_[a-z_]*)'/],
    explain(_log, m) {
      return {
        title: 'Direct read of user memory',
        explanation:
          `The program dereferences R${m[1]}, which holds a plain number to the verifier, not ` +
          'a pointer it can check. Syscall arguments such as a path or a buffer are addresses ' +
          "in the traced process's memory: the BPF program cannot read them with `*ptr` or " +
          '`ptr[i]`.',
        suggestion:
          'Copy user memory into your own buffer first: `bpf_probe_read_user_str(buf, ' +
          'sizeof(buf), (const char *)ctx->args[1])` for strings, `bpf_probe_read_user(&v, ' +
          'sizeof(v), ptr)` for data. Then read `buf`.',
      };
    },
  },
  {
    code: 'verifier/stack-too-large',
    patterns: [
      /combined stack size of (\d+) calls is (\d+)\. Too large/,
      /stack size of subprog \d+ is (\d+)\. Too large/,
    ],
    explain(_log, m) {
      const size = m[2] ?? m[1];
      return {
        title: 'Stack over 512 bytes',
        explanation:
          `Together your functions need ${size} bytes of stack; a BPF program has 512 bytes ` +
          'in all, shared by a function and every function it calls.',
        suggestion:
          'Keep large buffers out of the stack: use a per-CPU array map with one entry as ' +
          'scratch space (`bpf_map_lookup_elem(&scratch, &zero)`), or make the buffers smaller.',
      };
    },
  },
  {
    code: 'verifier/uninit-stack',
    patterns: [
      /invalid (?:indirect )?read from stack (?:R\d+ )?off[= ](-?\d+)(?:\+\d+)? size[= ](\d+)/,
      /R(\d+) !read_ok/,
    ],
    explain(_log, m) {
      const register = /!read_ok/.test(m[0]);
      return {
        title: 'Read of uninitialised memory',
        explanation: register
          ? `Register R${m[1]} is read before anything was stored in it.`
          : `The program reads ${m[2]} bytes of stack at offset ${m[1]} that were never ` +
            'written (a variable, a struct field or padding between fields). Uninitialised ' +
            'bytes hold whatever was there before; as a map key they make lookups miss.',
        suggestion:
          'Initialise what you read: declare structs with `= {}` (this also zeroes padding) ' +
          'or `__builtin_memset(&key, 0, sizeof(key))` before filling the fields.',
      };
    },
  },
  {
    code: 'verifier/stack-out-of-bounds',
    patterns: [
      /invalid (?:indirect access to|write to) stack (?:R\d+ )?off[= ](-?\d+) size[= ](\d+)/,
      /invalid (?:read from|write to) stack R\d+ off=(-?\d+) size=(\d+)/,
      /invalid variable-offset (?:indirect access to|read from|write to) stack R(\d+)/,
      /(?:variable )?stack access (?:var_off=\S+ )?off=(-?\d+) size=(\d+)/,
    ],
    explain(log, m) {
      const helper = calledHelper(log);
      return {
        title: 'Stack access out of bounds',
        explanation:
          (helper
            ? `\`${helper}\` was asked to use ${m[2] ?? 'more'} bytes starting at stack offset ` +
              `${m[1]}, which runs past the end of the buffer you passed. `
            : `The access at stack offset ${m[1]} falls outside your variables. `) +
          'The verifier checks every stack access against what the function reserved.',
        suggestion:
          'Pass the size of the buffer itself: `sizeof(buf)`, never a larger number; for ' +
          'variable sizes, clamp them to `sizeof(buf)` first.',
      };
    },
  },
  {
    code: 'verifier/ctx-write',
    patterns: [/invalid bpf_context access off=(\d+) size=(\d+)/],
    explain(log, m) {
      if (!isStore(log.failing?.text)) throw new NotThisClass();
      return {
        title: 'Write to the context',
        explanation:
          `The program writes ${m[2]} bytes at offset ${m[1]} of its context (\`ctx\`). A ` +
          "tracepoint's context is the kernel's record of the event: programs may read it, " +
          'never change it.',
        suggestion:
          'Copy the value into a local variable and change the copy: `long flags = ' +
          'ctx->args[2];`.',
      };
    },
  },
  {
    code: 'verifier/ctx-out-of-bounds',
    patterns: [
      /invalid bpf_context access off=(\d+) size=(\d+)/,
      /R(\d+) invalid mem access 'ctx'/,
    ],
    explain(_log, m) {
      return {
        title: 'Context read out of bounds',
        explanation:
          m[2] !== undefined
            ? `The program reads ${m[2]} bytes at offset ${m[1]} of its context, outside what ` +
              'this program type may read. The context is the fixed-size record of the event.'
            : 'The program uses a context pointer in a way the verifier refuses (moved, or ' +
              'passed where memory is expected).',
        suggestion:
          "Read only the fields of the tracepoint's record, through its struct (for syscalls " +
          '`struct trace_event_raw_sys_enter` has `args[0..5]`, `trace_event_raw_sys_exit` ' +
          'has `ret`), with constant indexes.',
      };
    },
  },
  {
    code: 'verifier/ringbuf-not-submitted',
    patterns: [/Unreleased reference id=(\d+) alloc_insn=(\d+)/],
    explain(log, m) {
      const helper = calledHelper(log, Number(m[2]));
      if (!helper || !helper.startsWith('bpf_ringbuf_reserve')) throw new NotThisClass();
      return {
        line: log.insnLines.get(Number(m[2])),
        title: 'Ring buffer record not submitted',
        explanation:
          `The record reserved here with \`${helper}\` reaches the end of the program on ` +
          'some path without being submitted or discarded. The verifier follows ' +
          'every path and each reserved record must be handed back exactly once.',
        suggestion:
          'On every path after a successful reserve, call `bpf_ringbuf_submit(rec, 0)` or ' +
          '`bpf_ringbuf_discard(rec, 0)`, early returns included; or do the checks that may ' +
          'return before reserving.',
      };
    },
  },
  {
    code: 'verifier/unreleased-reference',
    patterns: [
      /Unreleased reference id=(\d+) alloc_insn=(\d+)/,
      /BPF_EXIT instruction (?:in main prog )?would lead to reference leak/,
    ],
    explain(log, m) {
      const helper = m[2] ? calledHelper(log, Number(m[2])) : undefined;
      return {
        line: m[2] ? log.insnLines.get(Number(m[2])) : undefined,
        title: 'Reference not released',
        explanation:
          `${helperOr(helper, 'A helper')} returned an object the program holds a reference ` +
          'to, and some path ends without releasing it. References pin kernel objects; the ' +
          'verifier refuses programs that could leak one.',
        suggestion:
          "Release it on every path before returning, with the helper's counterpart (for " +
          'example `bpf_sk_release(sk)` after `bpf_sk_lookup_tcp`).',
      };
    },
  },
  {
    code: 'verifier/too-complex',
    patterns: [
      /BPF program is too large\. Processed (\d+) insn/,
      /The sequence of (\d+) jumps is too complex/,
      /infinite loop detected at insn (\d+)/,
      /back-edge from insn (\d+) to (\d+)/,
      /loop detected|too many states|states_limit/,
    ],
    explain(log) {
      return {
        title: 'Too complex to verify',
        explanation:
          'The verifier walks every path of the program, every loop iteration included, and ' +
          `stops after 1,000,000 instructions${log.processed ? ` (it reached ${log.processed})` : ''}. ` +
          'A loop whose bound comes from run-time data (a syscall return, a map value) gives ' +
          'it no end it can prove.',
        suggestion:
          'Give every loop a small constant bound: `for (int i = 0; i < 64 && i < n; i++)`, ' +
          'or use `#pragma unroll` for short fixed loops; move work out of the loop.',
      };
    },
  },
  {
    code: 'verifier/invalid-map-access',
    patterns: [
      /invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/,
      /invalid access to map key, key_size=(\d+) off=(-?\d+) size=(\d+)/,
      /R(\d+) invalid mem access 'map_ptr'/,
      /fd (\d+) is not pointing to valid bpf_map/,
    ],
    explain(log, m) {
      const [size, off, len] = [Number(m[1]), Number(m[2]), Number(m[3])];
      // In bounds at its fixed offset: the variable part of the pointer is what escapes, an
      // index problem reported on the next line ("R0 max value is outside ...").
      if (m[3] !== undefined && off >= 0 && off + len <= size && log.errorLines.length > 1) {
        throw new NotThisClass();
      }
      if (m[3] === undefined) {
        return {
          title: 'Invalid map access',
          explanation:
            'The program uses a map itself as if it were a value. A map is reached only ' +
            'through helpers.',
          suggestion: 'Use `bpf_map_lookup_elem(&map, &key)` and read the value it returns.',
        };
      }
      return {
        title: 'Access outside the map value',
        explanation:
          `The map's values are ${m[1]} bytes, and the program accesses ${m[3]} bytes at ` +
          `offset ${m[2]}, past the end of the value. The pointer type you read through must ` +
          "match the map's value type.",
        suggestion:
          'Read the value through the type declared in the map (`__type(value, ...)`), or ' +
          'make the value type large enough for what you store.',
      };
    },
  },
  {
    code: 'verifier/gpl-only',
    patterns: [/cannot call GPL-restricted function from non-GPL compatible program/],
    explain(log) {
      const helper = calledHelper(log);
      return {
        title: 'GPL-only helper',
        explanation:
          `${helperOr(helper, 'This helper')} is available only to programs under a GPL-` +
          'compatible licence, and this program declares another one in its `license` section.',
        suggestion:
          'Declare a GPL-compatible licence: `char LICENSE[] SEC("license") = "GPL";` ' +
          '(lab.h already does this; do not declare your own).',
      };
    },
  },
  {
    code: 'verifier/helper-not-allowed',
    patterns: [
      /program of this type cannot use helper ([a-z_0-9]+)#\d+/,
      /unknown func ([a-z_0-9]+)#\d+/,
      /invalid func unknown#(\d+)/,
    ],
    explain(_log, m) {
      return {
        title: 'Helper not allowed here',
        explanation:
          `\`${m[1]}\` cannot be called from this kind of program. Each program type (a ` +
          'tracepoint here) has its own set of helpers; this one belongs to another type or ' +
          'does not exist on this kernel.',
        suggestion:
          "Use a helper listed in the exercise's helper reference; for example " +
          '`bpf_get_current_pid_tgid()` identifies the process in a tracepoint.',
      };
    },
  },
  {
    code: 'verifier/wrong-arg-type',
    patterns: [/R(\d+) type=(\w+) expected=([\w, ]+)/, /arg#?(\d+) (?:expected|reference type)/],
    explain(log, m) {
      const helper = calledHelper(log);
      return {
        title: 'Wrong argument type',
        explanation:
          `Argument ${m[1]} of ${helperOr(helper, 'this call')} is ` +
          `${m[2] ? `a ${m[2] === 'scalar' ? 'plain number' : m[2]}` : 'of the wrong kind'}` +
          `${m[3] ? `, where the helper expects a pointer (${m[3].trim()})` : ''}. The verifier ` +
          'checks what each helper argument points to.',
        suggestion:
          'Pass the address of a variable (`&key`) or a checked map value, not a number; ' +
          "compare with the helper's signature in the helper reference.",
      };
    },
  },
];

/** Thrown by a class whose pattern matched but whose finer check says it is another class. */
export class NotThisClass extends Error {}
