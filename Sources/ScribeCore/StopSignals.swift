import Foundation

/// The signals that stop a long-running process (scribe-fcgi, `scribe dispatch --loop`), waited for on the main
/// thread: SIGTERM and SIGINT stop it, SIGHUP asks it to reopen its log file.
public enum StopSignals {
    /// Blocks TERM/INT/HUP in every thread so that `waitForStop` can wait for them with sigwait; call it before
    /// any thread starts, so that threads inherit the mask.
    public static func block() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits (signals blocked by `block`) until SIGTERM or SIGINT and returns it. SIGHUP is logrotate's
    /// "reopen your logs", never a stop: each one calls onHangup.
    public static func waitForStop(onHangup: (() -> Void)?) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&set, s) }
        var sig: Int32 = 0
        while sigwait(&set, &sig) == 0 && sig == SIGHUP { onHangup?() }
        return sig
    }
}
