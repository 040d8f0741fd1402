// Limits and the seccomp filter of a worker. Both go on before the request is read, so the
// student's source only ever meets a process that cannot raise them.
#include "worker-jail.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static bool limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit r{soft, hard};
  return setrlimit(resource, &r) == 0;
}

bool setWorkerLimits(const WorkerLimits &l) {
  rusage used{};
  getrusage(RUSAGE_SELF, &used);
  rlim_t cpuUsed = used.ru_utime.tv_sec + used.ru_stime.tv_sec + 1;
  // SIGXCPU at the soft limit, SIGKILL one second later: both mean the CPU limit.
  bool ok = limit(RLIMIT_CPU, cpuUsed + l.cpuSeconds, cpuUsed + l.cpuSeconds + 1) &&
            limit(RLIMIT_AS, l.memoryBytes, l.memoryBytes) &&
            limit(RLIMIT_FSIZE, l.objectBytes, l.objectBytes) && limit(RLIMIT_CORE, 0, 0);
  return ok;
}

bool buildWorkerFilter(std::vector<sock_filter> &program) {
  // Anything not listed fails with EPERM: a compiler that meets it reports an error, never
  // reaches the host.
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  if (!ctx) return false;
  const int allowed[] = {
      SCMP_SYS(read), SCMP_SYS(readv), SCMP_SYS(pread64), SCMP_SYS(write), SCMP_SYS(writev),
      SCMP_SYS(pwrite64), SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
      SCMP_SYS(statx), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(access), SCMP_SYS(faccessat),
      SCMP_SYS(faccessat2), SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(getcwd),
      SCMP_SYS(getdents64), SCMP_SYS(fcntl), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
      SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap), SCMP_SYS(brk),
      SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
      SCMP_SYS(set_tid_address), SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
      SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack), SCMP_SYS(getpid), SCMP_SYS(gettid),
      SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid),
      SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(times),
      SCMP_SYS(getrusage), SCMP_SYS(getrlimit), SCMP_SYS(sched_getaffinity),
      SCMP_SYS(sched_yield), SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(getrandom),
      SCMP_SYS(exit), SCMP_SYS(exit_group),
  };
  int rc = 0;
  for (int nr : allowed) rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
  // Reading files: the headers, the PCH. Opening for writing or creating is refused.
  const scmp_datum_t writeFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE;
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                         SCMP_A2(SCMP_CMP_MASKED_EQ, writeFlags, 0));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, writeFlags, 0));
  // Clang runs deeply nested code on a thread with a larger stack: threads, never processes.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
  // clone3's flags sit behind a pointer the filter cannot read: ENOSYS makes glibc use clone.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  // abort() signals the worker itself; no other process can be signalled.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
                         SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(getpid())));
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(kill), 1,
                         SCMP_A0(SCMP_CMP_EQ, scmp_datum_t(getpid())));
  // isatty() on the output streams; no other ioctl.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, SCMP_A1(SCMP_CMP_EQ, TCGETS));
  // Reading limits (prlimit64 with no new limit); setting them is refused.
  rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64), 1, SCMP_A2(SCMP_CMP_EQ, 0));
  // libseccomp 2.5 exports the program only to a file descriptor.
  int fd = rc == 0 ? memfd_create("seccomp", MFD_CLOEXEC) : -1;
  if (fd >= 0 && seccomp_export_bpf(ctx, fd) == 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    program.resize(size_t(size) / sizeof(sock_filter));
    size_t bytes = program.size() * sizeof(sock_filter);
    if (size <= 0 || size_t(size) != bytes || pread(fd, program.data(), bytes, 0) != ssize_t(bytes))
      program.clear();
  }
  if (fd >= 0) close(fd);
  seccomp_release(ctx);
  return !program.empty();
}

bool installWorkerFilter(const std::vector<sock_filter> &program) {
  if (program.empty() || program.size() > BPF_MAXINSNS) return false;
  sock_fprog prog{static_cast<unsigned short>(program.size()),
                  const_cast<sock_filter *>(program.data())};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}
