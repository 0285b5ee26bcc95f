#if canImport(Glibc)
import Glibc
#endif
import FlowCLI

// A parent may start flow with SIGINT/SIGTERM blocked (threads of many runtimes block signals and
// their children inherit the mask); flow's Ctrl-C handling needs them delivered.
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGINT)
sigaddset(&signals, SIGTERM)
pthread_sigmask(SIG_UNBLOCK, &signals, nil)

#if canImport(Glibc)
// glibc gives threads up to 8 malloc arenas per core; records are allocated on one node's thread
// and freed on another's, so memory freed into one arena is not reused by the others. One arena
// per core kept the products benchmark's peak RSS about 8 MB lower (72 -> 64 MB) at the same speed.
// mallopt and M_ARENA_MAX (-8) live in <malloc.h>, which the Glibc module does not import.
typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
if let symbol = dlsym(nil, "mallopt") {
    _ = unsafeBitCast(symbol, to: Mallopt.self)(-8, Int32(max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
}
#endif

await FlowCommand.start()
