// The loader runs as root, so the verifier prints the kernel addresses it patched into 64-bit
// loads: a map (`r1 = 0xffff888219f17000`) or a global's value (`0xffffc90000e3a000`). A
// student must not see them (they give away where the kernel lives), so they are hidden from
// the log before anyone reads it. Only the immediates of those loads are touched: bounds such as
// `var_off=(0x0; 0xffffffffffffffff)` are numbers the student needs.
const LOADED_ADDRESS = /(\(18\) r\d+ = )0x(?:ffff[89a-f][0-9a-f]{11})\b/g;

export const HIDDEN_ADDRESS = '<kernel address>';

/** `log` with the kernel addresses of `ld_imm64` instructions replaced by a placeholder. */
export function hideKernelAddresses(log: string): string {
  return log.replace(LOADED_ADDRESS, `$1${HIDDEN_ADDRESS}`);
}
