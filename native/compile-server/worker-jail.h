// What a worker locks itself into before it reads a request.
#pragma once

#include <vector>

#include <linux/filter.h>
#include <sys/resource.h>

struct WorkerLimits {
  rlim_t memoryBytes; // the worker's whole address space, libraries and PCH included, as plain
                      // clang's limit counts its own
  rlim_t cpuSeconds;  // on top of what the warm-up used
  rlim_t objectBytes; // largest file the worker may write: its object
  unsigned wallSeconds;
};

// Memory, CPU and file size, no core dumps; the caller starts the wall-clock alarm (wallSeconds,
// SIGALRM) when the request arrives. Returns false on failure.
bool setWorkerLimits(const WorkerLimits &limits);

// The seccomp filter of a worker: what a compile needs and nothing else. No network, no new
// processes (threads only), no signals to others, no ptrace, mount, bpf, no file opened for
// writing or created. Built (libseccomp's rules translated to BPF) while the worker waits for a
// request, so only loading it is left for after accept(). It names the worker's own pid, so
// each worker builds its own. Returns false on failure.
bool buildWorkerFilter(std::vector<sock_filter> &program);

// Loads a filter built by buildWorkerFilter, with no_new_privs. Returns false on failure.
bool installWorkerFilter(const std::vector<sock_filter> &program);
