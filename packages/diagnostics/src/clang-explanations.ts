// Plain-words explanations for the clang errors students hit most when writing BPF C. The
// compile stage parses clang's output; it calls this for each message it places.

export interface ClangExplanation {
  code: `clang/${string}`;
  explanation: string;
  suggestion: string;
}

interface ClangClass extends ClangExplanation {
  pattern: RegExp;
}

const CLASSES: ClangClass[] = [
  {
    code: 'clang/stack-limit',
    pattern: /BPF stack limit of 512 bytes is exceeded/,
    explanation:
      'The function keeps more than 512 bytes of local variables; a BPF program has 512 bytes ' +
      'of stack in all.',
    suggestion:
      'Make the buffers smaller, or put them in a per-CPU array map with one entry and use it ' +
      'as scratch space.',
  },
  {
    code: 'clang/implicit-function',
    pattern: /(?:implicit declaration of function|call to undeclared function) '(\w+)'/,
    explanation:
      'The function is not declared: it may be misspelt, or it is not a BPF helper. BPF ' +
      'programs cannot call C library functions such as strcmp, printf or memcpy.',
    suggestion:
      'Check the spelling against the helper reference (helpers start with `bpf_`); for ' +
      'strings use `bpf_strncmp`, for copies `__builtin_memcpy` with a constant size.',
  },
  {
    code: 'clang/undeclared-identifier',
    pattern: /use of undeclared identifier '(\w+)'/,
    explanation: 'The name is not declared anywhere in your file or in the lab headers.',
    suggestion: 'Check its spelling, and that it is declared before this line.',
  },
  {
    code: 'clang/unknown-type',
    pattern: /unknown type name '(\w+)'/,
    explanation:
      'The type is not known. Kernel types come from vmlinux.h (included by lab.h) and use ' +
      'kernel names: `u32`, `u64`, `struct trace_event_raw_sys_enter`.',
    suggestion: 'Use the kernel type names, and `struct name` for structs.',
  },
  {
    code: 'clang/no-member',
    pattern: /no member named '(\w+)' in '([^']+)'/,
    explanation: 'The struct has no field with that name.',
    suggestion:
      'Syscall tracepoints have `args[0..5]` on enter (`struct trace_event_raw_sys_enter`) ' +
      'and `ret` on exit (`struct trace_event_raw_sys_exit`).',
  },
  {
    code: 'clang/builtin-not-supported',
    pattern: /A call to built-in function '(\w+)' is not supported/,
    explanation:
      'The compiler could not turn this library call into plain BPF instructions, usually ' +
      'because its size is not a constant.',
    suggestion: 'Copy with a constant size: `__builtin_memcpy(dst, src, sizeof(dst))`.',
  },
  {
    code: 'clang/pointer-int',
    pattern: /incompatible (?:integer to pointer|pointer to integer) conversion/,
    explanation:
      'A number is used where a pointer is expected, or the other way round. Syscall ' +
      'arguments in `ctx->args[i]` are numbers, even when they hold addresses.',
    suggestion: 'Cast explicitly: `(const char *)ctx->args[1]`.',
  },
  {
    code: 'clang/too-few-arguments',
    pattern: /too (?:few|many) arguments to function call/,
    explanation: 'The call passes a different number of arguments than the function takes.',
    suggestion: "Compare the call with the helper's signature in the helper reference.",
  },
  {
    code: 'clang/missing-semicolon',
    pattern: /expected ';'/,
    explanation: 'A statement is not finished: C statements end with a semicolon.',
    suggestion: 'Add `;` at the end of the previous statement.',
  },
];

export function explainClangMessage(message: string): ClangExplanation | undefined {
  const found = CLASSES.find((c) => c.pattern.test(message));
  if (!found) return undefined;
  const { code, explanation, suggestion } = found;
  return { code, explanation, suggestion };
}
