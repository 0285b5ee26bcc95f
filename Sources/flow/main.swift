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

await FlowCommand.start()
