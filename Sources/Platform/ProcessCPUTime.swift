/// The CPU time this process has used so far, all threads together (`getrusage`): a measure of
/// work that a busy machine inflates less than wall time.
public enum ProcessCPUTime {
    /// User plus system time, in seconds.
    public static func seconds() -> Double {
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(RUSAGE_SELF.rawValue, &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
