// The compile server. A parent initialised once (LLVM, the PCH read into memory, one warm-up
// compile) keeps a pool of workers forked in advance. Each worker compiles the platform's
// warm-up file, builds its seccomp filter, waits in accept(), hands the connection and its
// output to the parent, locks itself in (limits, the filter), reads one source, compiles it,
// tells the parent its exit status and exits. The parent reads the object from a pipe as it
// comes (as the runner reads plain clang's stdout, with the same cap) and answers the client
// with the object, the messages and the exit status: the worker's word once its compile ended,
// or how it died when it was killed (a limit, a crash), so that is reported exactly like plain
// clang. The parent never reads a request.
//
//   compile-server --socket PATH --workers N --warm-up FILE [--preload-pch]
//                  [--memory-bytes N] [--cpu-seconds N] [--object-bytes N] [--wall-seconds N]
//                  -- CC1ARGS... (ending with the input "-")
//   compile-server --check-filter     installs the worker filter and tries what it denies
//   compile-server --check-huge-pages [--refused]   moves clang's code to huge pages, says how much
//
// Protocol: the client sends the source and shuts down its side; the answer is
//   "BPFC" u8 kind, u8 object over the cap, i32 exit code (-1 when signalled), i32 signal,
//   u32 n, object, u32 m, stderr (its first 256 KiB and last 1 KiB when it is longer)
// (integers little-endian). kind 0: the compile ran; kind 1: the worker could not set itself up
// (the server's fault, never the student's).
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compile.h"
#include "huge-pages.h"
#include "worker-jail.h"

namespace {

// Exit status of a worker that failed to set itself up (limits, filter, memory files).
constexpr int kSetupFailed = 111;
// Largest source read: the runner refuses more than 64 KiB before it gets here.
constexpr size_t kMaxSourceBytes = 1 << 20;
constexpr int kListenFd = 3;
constexpr int kControlFd = 4;

struct Options {
  const char *socketPath = nullptr;
  const char *warmUpFile = nullptr;
  int workers = 2;
  bool preloadPch = false;
  WorkerLimits limits{1ull << 30, 10, 16ull << 20, 30};
  std::vector<const char *> cc1Args;
};

[[noreturn]] void die(const char *what) {
  fprintf(stderr, "compile-server: %s: %s\n", what, strerror(errno));
  exit(1);
}

bool writeAll(int fd, const void *data, size_t n) {
  const char *p = static_cast<const char *>(data);
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

// The runner keeps the first 256 KiB of a compile's messages and their last 1 KiB (clang's count
// of them), as it does with plain clang's capped stderr (COMPILE_LIMITS.stderrBytes and
// STDERR_TAIL_BYTES in packages/runner/src/compile/). Only those parts are sent: a flood of
// warnings can fill the 16 MiB a worker may write, which the server must not pass on whole.
constexpr off_t kMessagesKept = 256 << 10;
constexpr off_t kMessagesTail = 1 << 10;

void readRange(int fd, off_t from, off_t to, std::string &s) {
  char buf[65536];
  while (from < to) {
    ssize_t r = pread(fd, buf, size_t(std::min<off_t>(sizeof buf, to - from)), from);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    s.append(buf, size_t(r));
    from += r;
  }
}

std::string readMessages(int fd) {
  struct stat st {};
  std::string s;
  if (fstat(fd, &st) != 0) return s;
  if (st.st_size <= kMessagesKept + kMessagesTail) {
    readRange(fd, 0, st.st_size, s);
  } else {
    readRange(fd, 0, kMessagesKept, s);
    readRange(fd, st.st_size - kMessagesTail, st.st_size, s);
  }
  return s;
}

// The worker's side: one request, then exit. Never returns.
[[noreturn]] void workerMain(const Options &o) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Keep freed memory in malloc's lists: the warm-up's heap is what the real compile reuses.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 256 << 20);
  // The warm-up pages clang in so that a request waiting for an idle worker is answered in
  // ~25 ms instead of ~70. When a request is already waiting, warming up first would only make
  // it wait longer (and costs ~25 ms of CPU more than compiling cold): under load, serve cold.
  pollfd waiting{kListenFd, POLLIN, 0};
  if (poll(&waiting, 1, 0) != 1 && warmUp(o.cc1Args, o.warmUpFile) != 0) _exit(kSetupFailed);
  // Everything that does not depend on the request is done before it arrives: the filter built,
  // the limits set (waiting in accept() costs no CPU and maps no memory), the files made. After
  // accept() come only the hand-over, the alarm and loading the filter.
  // The object goes through a pipe, as plain clang's stdout: clang then builds it in memory
  // (counted by the memory limit) rather than writing a file, and the parent enforces its cap.
  std::vector<sock_filter> filter;
  int object[2];
  int source = memfd_create("source", MFD_CLOEXEC);
  int messages = memfd_create("messages", MFD_CLOEXEC);
  if (source < 0 || messages < 0 || pipe2(object, O_CLOEXEC) != 0 || !buildWorkerFilter(filter) ||
      !setWorkerLimits(o.limits))
    _exit(kSetupFailed);

  int conn;
  do conn = accept4(kListenFd, nullptr, nullptr, SOCK_CLOEXEC);
  while (conn < 0 && errno == EINTR);
  if (conn < 0) _exit(kSetupFailed);
  close(kListenFd);

  // The parent answers the client from these, whatever becomes of this process.
  int fds[3] = {conn, object[0], messages};
  char cbuf[CMSG_SPACE(sizeof fds)] = {};
  char byte = 0;
  iovec iov{&byte, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof fds);
  memcpy(CMSG_DATA(c), fds, sizeof fds);
  if (sendmsg(kControlFd, &msg, MSG_NOSIGNAL) != 1) _exit(kSetupFailed);
  close(object[0]);

  alarm(o.limits.wallSeconds);
  if (!installWorkerFilter(filter)) _exit(kSetupFailed);

  // Only now is the student's source read.
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t r = read(conn, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    text.append(buf, size_t(r));
    if (text.size() > kMaxSourceBytes) _exit(kSetupFailed);
  }
  if (write(source, text.data(), text.size()) != ssize_t(text.size())) _exit(kSetupFailed);
  lseek(source, 0, SEEK_SET);
  dup2(source, 0);
  dup2(object[1], 1);
  close(object[1]);
  dup2(messages, 2);
  int32_t status = compileOnce(o.cc1Args, /*releaseMemory=*/false);
  // The object and the messages are written. Closing the pipe and saying how the compile ended
  // lets the parent answer now, rather than after the kernel has torn down this process's
  // memory (the warm heap and the PCH: several milliseconds).
  // (write, not send: the filter allows no socket calls; a parent gone must not raise SIGPIPE.)
  close(1);
  signal(SIGPIPE, SIG_IGN);
  (void)!write(kControlFd, &status, sizeof status);
  _exit(status);
}

// A worker as the parent follows it: its control socket (the request handed over, then how the
// compile ended), the object pipe until end of file, and its pidfd until it exits.
struct Worker {
  pid_t pid;
  int pidfd;
  int control;
  bool handedOver = false;
  int conn = -1;
  int objectPipe = -1;
  int messages = -1;
  std::string object;
  bool objectTooBig = false;
  bool reported = false; // the worker's own word on its compile's exit status
  int32_t reportedStatus = 0;
  bool answered = false;
  bool exited = false;
  int status = 0;
};

bool startWorker(const Options &o, int listenFd, std::vector<Worker> &pool) {
  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return false;
  pid_t pid = fork();
  if (pid == 0) {
    // Nothing of the parent's other connections or workers reaches this worker: it keeps the
    // listening socket and its own control socket, as fds 3 and 4.
    int l = fcntl(listenFd, F_DUPFD, kControlFd + 1), ctl = fcntl(pair[1], F_DUPFD, kControlFd + 1);
    if (l < 0 || ctl < 0 || dup2(l, kListenFd) < 0 || dup2(ctl, kControlFd) < 0) _exit(kSetupFailed);
    close_range(kControlFd + 1, ~0U, 0);
    workerMain(o);
  }
  close(pair[1]);
  int pidfd = pid > 0 ? int(syscall(SYS_pidfd_open, pid, 0)) : -1;
  if (pidfd < 0) {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    close(pair[0]);
    return false;
  }
  Worker w;
  w.pid = pid;
  w.pidfd = pidfd;
  w.control = pair[0];
  pool.push_back(std::move(w));
  return true;
}

void closeFd(int &fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void takeRequest(Worker &w) {
  int fds[3];
  char cbuf[CMSG_SPACE(sizeof fds)] = {};
  char byte;
  iovec iov{&byte, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  ssize_t n = recvmsg(w.control, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  cmsghdr *c = n == 1 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof fds))
    return closeFd(w.control);
  memcpy(fds, CMSG_DATA(c), sizeof fds);
  w.handedOver = true;
  w.conn = fds[0];
  w.objectPipe = fds[1];
  w.messages = fds[2];
}

// After the request: the compile's exit status, or end of file if the worker died first.
void readReport(Worker &w) {
  int32_t status;
  ssize_t n = recv(w.control, &status, sizeof status, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n == ssize_t(sizeof status)) {
    w.reported = true;
    w.reportedStatus = status;
  }
  closeFd(w.control);
}

void readObject(Worker &w, rlim_t cap) {
  char buf[65536];
  ssize_t r = read(w.objectPipe, buf, sizeof buf);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (r <= 0) return closeFd(w.objectPipe);
  w.object.append(buf, size_t(r));
  if (w.object.size() > cap) {
    // As the runner does with plain clang: past the cap the compiler is stopped, not read on.
    w.objectTooBig = true;
    w.object.clear();
    kill(w.pid, SIGKILL);
    closeFd(w.objectPipe);
  }
}

void putU32(std::string &s, uint32_t v) { s.append(reinterpret_cast<const char *>(&v), 4); }

void answer(Worker &w) {
  // A worker killed (by a limit, a crash or the object cap) is reported by how it died; one that
  // finished its compile said how it ended before exiting.
  int status = w.reported && !w.objectTooBig ? W_EXITCODE(w.reportedStatus & 0xff, 0) : w.status;
  bool setupFailed = WIFEXITED(status) && WEXITSTATUS(status) == kSetupFailed;
  std::string messages = setupFailed ? "" : readMessages(w.messages);
  if (setupFailed) w.object.clear();
  std::string out = "BPFC";
  out.push_back(setupFailed ? 1 : 0);
  out.push_back(w.objectTooBig ? 1 : 0);
  putU32(out, WIFEXITED(status) ? uint32_t(WEXITSTATUS(status)) : uint32_t(-1));
  putU32(out, WIFSIGNALED(status) ? uint32_t(WTERMSIG(status)) : 0);
  putU32(out, uint32_t(w.object.size()));
  out += w.object;
  putU32(out, uint32_t(messages.size()));
  out += messages;
  // A client that stopped reading must not stall the pool.
  timeval timeout{10, 0};
  setsockopt(w.conn, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  writeAll(w.conn, out.data(), out.size());
}

// The libraries a compile runs in: their code and read-only data go on huge pages.
const char *const kCompilerLibraries[] = {"libLLVM", "libclang-cpp"};

[[noreturn]] void serve(const Options &o) {
  // Shared by every worker: see huge-pages.h.
  moveLibrariesToHugePages(kCompilerLibraries, 2);
  std::string problem = prepareCompiler(o.cc1Args, o.preloadPch);
  if (!problem.empty()) {
    fprintf(stderr, "compile-server: %s\n", problem.c_str());
    exit(1);
  }
  // Compiled once here too: the workers inherit the code and data it paged in.
  if (warmUp(o.cc1Args, o.warmUpFile) != 0) {
    fprintf(stderr, "compile-server: the warm-up compile of %s failed\n", o.warmUpFile);
    exit(1);
  }
  int listenFd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (strlen(o.socketPath) >= sizeof addr.sun_path) die("socket path too long");
  strcpy(addr.sun_path, o.socketPath);
  unlink(o.socketPath);
  if (listenFd < 0 || bind(listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
      listen(listenFd, 128) != 0)
    die("cannot listen");
  // The socket's directory is the one place in the sandbox the server could write to: once the
  // socket is there, nothing else may be (the workers' filter refuses chmod, so it stays so).
  if (const char *slash = strrchr(o.socketPath, '/'); slash && slash != o.socketPath) {
    if (chmod(std::string(o.socketPath, slash).c_str(), 0555) != 0)
      die("cannot make the socket's directory read-only");
  }
  // Workers run as the same user: none may ptrace or read the memory of the parent or another.
  prctl(PR_SET_DUMPABLE, 0);

  std::vector<Worker> pool;
  for (int i = 0; i < o.workers; i++) startWorker(o, listenFd, pool);
  printf("ready %d\n", o.workers);
  fflush(stdout);

  int failuresInARow = 0;
  for (;;) {
    std::vector<pollfd> fds;
    std::vector<std::pair<size_t, int *>> owners;
    for (size_t i = 0; i < pool.size(); i++) {
      Worker &w = pool[i];
      for (int *fd : {&w.control, &w.objectPipe, &w.pidfd}) {
        if (*fd < 0 || (fd == &w.pidfd && w.exited)) continue;
        fds.push_back({*fd, POLLIN, 0});
        owners.push_back({i, fd});
      }
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (size_t k = 0; k < fds.size(); k++) {
      if (!fds[k].revents) continue;
      Worker &w = pool[owners[k].first];
      int *fd = owners[k].second;
      if (fd == &w.control) w.handedOver ? readReport(w) : takeRequest(w);
      else if (fd == &w.objectPipe) readObject(w, o.limits.objectBytes);
      else if (waitpid(w.pid, &w.status, WNOHANG) == w.pid) w.exited = true;
    }
    for (size_t i = 0; i < pool.size();) {
      Worker &w = pool[i];
      // Answered once its object is read and it has either said how its compile ended or exited;
      // done once it has also exited.
      bool drained = w.control < 0 && w.objectPipe < 0;
      if (drained && w.handedOver && !w.answered && (w.exited || (w.reported && !w.objectTooBig))) {
        answer(w);
        w.answered = true;
        for (int *fd : {&w.conn, &w.messages}) closeFd(*fd);
      }
      if (!w.exited || !drained) {
        i++;
        continue;
      }
      bool served = w.handedOver;
      for (int *fd : {&w.conn, &w.messages, &w.pidfd}) closeFd(*fd);
      // A worker that dies before taking any request has a broken set-up (the warm-up, a
      // missing header): stop rather than fork forever; the runner falls back to plain clang.
      failuresInARow = served ? 0 : failuresInARow + 1;
      if (failuresInARow > 3 * o.workers) {
        fprintf(stderr, "compile-server: workers keep dying before any request (status %d)\n",
                w.status);
        exit(1);
      }
      pool.erase(pool.begin() + long(i));
    }
    while (int(pool.size()) < o.workers) {
      if (!startWorker(o, listenFd, pool)) {
        sleep(1);
        break;
      }
    }
  }
}

// Tries what the worker filter must refuse, after installing it, and prints one line each.
int checkFilter() {
  std::vector<sock_filter> filter;
  if (!buildWorkerFilter(filter) || !installWorkerFilter(filter)) return 1;
  auto report = [](const char *what, bool refused) {
    printf("%s %s\n", what, refused ? "refused" : "allowed");
  };
  report("socket", socket(AF_INET, SOCK_STREAM, 0) < 0);
  report("socket-unix", socket(AF_UNIX, SOCK_STREAM, 0) < 0);
  report("open-write", open("/dev/null", O_WRONLY) < 0);
  report("open-create", open("/tmp/compile-server-check", O_RDONLY | O_CREAT, 0600) < 0);
  report("mkdir", mkdir("/tmp/compile-server-check-dir", 0700) < 0);
  report("unlink", unlink("/tmp/compile-server-check") < 0);
  report("chmod", chmod("/dev/null", 0666) < 0); // its mode already: harmless if allowed
  report("fork", fork() < 0);
  report("execve", execl("/bin/true", "true", nullptr) < 0);
  report("kill-other", kill(1, 0) < 0);
  report("ptrace", syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0) < 0);
  report("mount", syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, nullptr) < 0);
  report("bpf", syscall(SYS_bpf, 0, nullptr, 0) < 0);
  report("setrlimit", [] {
    rlimit r{RLIM_INFINITY, RLIM_INFINITY};
    return setrlimit(RLIMIT_AS, &r) < 0;
  }());
  // The one thing here a compile needs: it must still work.
  report("open-read", open("/dev/null", O_RDONLY) < 0);
  fflush(stdout);
  return 0;
}

// Moves the compiler's libraries to huge pages as the server does (with the kernel's huge pages
// refused to this process when asked: the fallback), then runs their code and prints how many
// bytes moved.
int checkHugePages(bool refused) {
  if (refused && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) return 1;
  size_t moved = moveLibrariesToHugePages(kCompilerLibraries, 2);
  initCompiler("compile-server");
  printf("moved %zu\n", moved);
  fflush(stdout);
  return 0;
}

} // namespace

int main(int argc, const char **argv) {
  if (argc == 2 && strcmp(argv[1], "--check-filter") == 0) return checkFilter();
  if (argc >= 2 && strcmp(argv[1], "--check-huge-pages") == 0)
    return checkHugePages(argc == 3 && strcmp(argv[2], "--refused") == 0);
  Options o;
  int i = 1;
  auto number = [&](const char *name) -> unsigned long long {
    if (i + 1 >= argc) {
      fprintf(stderr, "compile-server: %s needs a value\n", name);
      exit(2);
    }
    return strtoull(argv[++i], nullptr, 10);
  };
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--socket") == 0 && i + 1 < argc) o.socketPath = argv[++i];
    else if (strcmp(a, "--warm-up") == 0 && i + 1 < argc) o.warmUpFile = argv[++i];
    else if (strcmp(a, "--workers") == 0) o.workers = int(number(a));
    else if (strcmp(a, "--preload-pch") == 0) o.preloadPch = true;
    else if (strcmp(a, "--memory-bytes") == 0) o.limits.memoryBytes = number(a);
    else if (strcmp(a, "--cpu-seconds") == 0) o.limits.cpuSeconds = number(a);
    else if (strcmp(a, "--object-bytes") == 0) o.limits.objectBytes = number(a);
    else if (strcmp(a, "--wall-seconds") == 0) o.limits.wallSeconds = unsigned(number(a));
    else {
      fprintf(stderr, "compile-server: unknown option %s\n", a);
      return 2;
    }
  }
  o.cc1Args.assign(argv + std::min(i + 1, argc), argv + argc);
  if (!o.socketPath || !o.warmUpFile || o.workers < 1 || o.cc1Args.empty() ||
      strcmp(o.cc1Args.back(), "-") != 0) {
    fprintf(stderr, "usage: compile-server --socket PATH --workers N --warm-up FILE "
                    "[--preload-pch] [limits] -- CC1ARGS... -\n");
    return 2;
  }
  initCompiler(argv[0]);
  serve(o);
}
