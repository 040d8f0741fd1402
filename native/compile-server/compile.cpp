// The compile itself: clang's cc1_main for -emit-obj, minus what the lab never uses (plugins,
// -help, the static analyser). The cc1 arguments come from the clang driver's own translation
// of the lab's flags (`clang -###`), so the object and the messages are clang's, byte for byte.
#include "compile.h"

#include "huge-pages.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clang/Basic/DiagnosticFrontend.h"
#include "clang/Basic/Stack.h"
#include "clang/CodeGen/CodeGenAction.h"
#include "clang/CodeGen/ObjectFilePCHContainerOperations.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/TextDiagnosticBuffer.h"
#include "clang/Lex/PreprocessorOptions.h"
#include "clang/Serialization/InMemoryModuleCache.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

extern "C" {
void LLVMInitializeBPFTargetInfo();
void LLVMInitializeBPFTarget();
void LLVMInitializeBPFTargetMC();
void LLVMInitializeBPFAsmPrinter();
void LLVMInitializeBPFAsmParser();
}

using namespace clang;

static const char *gArgv0 = "clang";

// Holds the preloaded PCH. Read before the workers fork, so every worker shares its pages.
static InMemoryModuleCache *gModuleCache = nullptr;

void initCompiler(const char *argv0) {
  gArgv0 = argv0;
  noteBottomOfStack();
  LLVMInitializeBPFTargetInfo();
  LLVMInitializeBPFTarget();
  LLVMInitializeBPFTargetMC();
  LLVMInitializeBPFAsmPrinter();
  LLVMInitializeBPFAsmParser(); // the student's inline asm
}

// As cc1_main: a backend error goes through the diagnostics, then the process exits.
static void fatalError(void *diags, const char *message, bool) {
  static_cast<DiagnosticsEngine *>(diags)->Report(diag::err_fe_error_backend) << message;
  llvm::sys::RunInterruptHandlers();
  _exit(70);
}

// Reads a whole file into memory on huge pages, kept for the life of the process.
static bool readOnHugePages(const char *path, char *&bytes, size_t &size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 ||
      (bytes = allocateOnHugePages(size_t(st.st_size))) == nullptr) {
    if (fd >= 0) close(fd);
    return false;
  }
  size = 0;
  while (size < size_t(st.st_size)) {
    ssize_t r = read(fd, bytes + size, size_t(st.st_size) - size);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    size += size_t(r);
  }
  close(fd);
  sealOnHugePages(bytes, size);
  return size == size_t(st.st_size);
}

std::string prepareCompiler(const std::vector<const char *> &cc1Args, bool preloadPch) {
  CompilerInvocation invocation;
  IntrusiveRefCntPtr<DiagnosticIDs> ids(new DiagnosticIDs());
  IntrusiveRefCntPtr<DiagnosticOptions> options = new DiagnosticOptions();
  DiagnosticsEngine diags(ids, &*options, new TextDiagnosticBuffer);
  if (!CompilerInvocation::CreateFromArgs(invocation, cc1Args, diags, gArgv0))
    return "clang refuses the cc1 arguments";
  if (invocation.getFrontendOpts().ProgramAction != frontend::EmitObj)
    return "the cc1 arguments must ask for an object (-emit-obj)";
  const auto &llvmArgs = invocation.getFrontendOpts().LLVMArgs;
  if (!llvmArgs.empty()) {
    std::vector<const char *> argv{"clang (LLVM option parsing)"};
    for (const auto &a : llvmArgs) argv.push_back(a.c_str());
    llvm::cl::ParseCommandLineOptions(argv.size(), argv.data());
  }
  const std::string &pch = invocation.getPreprocessorOpts().ImplicitPCHInclude;
  if (preloadPch && !pch.empty()) {
    // Read into anonymous memory rather than mapped: a fork copies the page tables of anonymous
    // memory, so the workers read the PCH without a page fault each; and on huge pages, so that
    // a worker's first reads of it cost a few dozen entries rather than thousands.
    char *bytes = nullptr;
    size_t size = 0;
    if (!readOnHugePages(pch.c_str(), bytes, size))
      return "cannot read the precompiled header " + pch;
    gModuleCache = new InMemoryModuleCache();
    gModuleCache->Retain();
    gModuleCache->addPCM(pch, llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(bytes, size), pch,
                                                               /*RequiresNullTerminator=*/false));
  }
  return "";
}

int compileOnce(const std::vector<const char *> &cc1Args, bool releaseMemory) {
  auto clang = std::make_unique<CompilerInstance>(std::make_shared<PCHContainerOperations>(),
                                                  gModuleCache);
  auto pchOps = clang->getPCHContainerOperations();
  pchOps->registerWriter(std::make_unique<ObjectFilePCHContainerWriter>());
  pchOps->registerReader(std::make_unique<ObjectFilePCHContainerReader>());

  IntrusiveRefCntPtr<DiagnosticIDs> ids(new DiagnosticIDs());
  IntrusiveRefCntPtr<DiagnosticOptions> options = new DiagnosticOptions();
  auto *buffer = new TextDiagnosticBuffer;
  DiagnosticsEngine diags(ids, &*options, buffer);
  bool ok = CompilerInvocation::CreateFromArgs(clang->getInvocation(), cc1Args, diags, gArgv0);
  clang->createDiagnostics();
  if (!clang->hasDiagnostics()) return 1;
  llvm::install_fatal_error_handler(fatalError, &clang->getDiagnostics());
  buffer->FlushDiagnostics(clang->getDiagnostics());
  if (!ok) return 1;
  if (releaseMemory) {
    // The warm-up gives its memory back to malloc for the real compile to reuse.
    clang->getFrontendOpts().DisableFree = false;
    clang->getCodeGenOpts().DisableFree = false;
  }
  {
    EmitObjAction action;
    ok = clang->ExecuteAction(action);
  }
  llvm::remove_fatal_error_handler();
  llvm::outs().flush();
  llvm::errs().flush();
  // -disable-free, as clang: the process exits right after, freeing is wasted time.
  if (clang->getFrontendOpts().DisableFree) clang.release();
  return ok ? 0 : 1;
}

int warmUp(const std::vector<const char *> &cc1Args, const char *file) {
  std::vector<const char *> args(cc1Args);
  args.back() = file; // the input, "-" in the request's arguments
  int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
  int savedOut = dup(1), savedErr = dup(2);
  dup2(nul, 1);
  dup2(nul, 2);
  int rc = compileOnce(args, /*releaseMemory=*/true);
  dup2(savedOut, 1);
  dup2(savedErr, 2);
  close(savedOut);
  close(savedErr);
  close(nul);
  return rc;
}
