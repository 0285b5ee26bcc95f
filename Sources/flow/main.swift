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
//
// Blocks up to 4 MB (M_MMAP_THRESHOLD, -3) come from the heap, and up to 8 MB of free memory at
// its top stays mapped (M_TRIM_THRESHOLD, -1): an API page of 1.4 MB is received, validated and
// freed a thousand times in the products benchmark, and as separate mappings each one was faulted
// in page by page (0.2-0.3 s of system time); from the heap the next page reuses the last one's
// memory.
typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
if let symbol = dlsym(nil, "mallopt") {
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    _ = mallopt(-8, Int32(max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
    _ = mallopt(-3, 4 << 20)
    _ = mallopt(-1, 8 << 20)
}
#endif

await FlowCommand.start()
