import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `process_*` families as Prometheus' client libraries define them, read from `/proc` on Linux.
/// On other systems nothing is written.
public enum ProcessMetrics {
    static let cpuSeconds = MetricFamily("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter)
    static let openFileDescriptors = MetricFamily("process_open_fds", help: "Number of open file descriptors.")
    static let maximumFileDescriptors = MetricFamily("process_max_fds", help: "Maximum number of open file descriptors.")
    static let virtualMemory = MetricFamily("process_virtual_memory_bytes", help: "Virtual memory size in bytes.")
    static let residentMemory = MetricFamily("process_resident_memory_bytes", help: "Resident memory size in bytes.")
    static let startTime = MetricFamily("process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.")

    /// Every `process_*` family.
    public static let all = [cpuSeconds, openFileDescriptors, maximumFileDescriptors, virtualMemory, residentMemory, startTime]

    /// The values read now, or nil where `/proc` is not available.
    public struct Reading: Sendable, Equatable {
        public var cpuSeconds: Double
        public var residentMemoryBytes: Double
        public var virtualMemoryBytes: Double
        public var startTimeSeconds: Double
        public var openFileDescriptors: Double
        public var maximumFileDescriptors: Double
    }

    /// Boot time and clock ticks do not change while the process runs; the start time is read once.
    private static let startTimeSeconds: Double? = {
        guard let stat = readProcFile("/proc/self/stat"), let fields = statFields(stat), fields.count > 21,
            let startTicks = Double(fields[21]), let boot = bootTime()
        else { return nil }
        return boot + startTicks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }()

    public static func read() -> Reading? {
        #if os(Linux)
        guard let stat = readProcFile("/proc/self/stat"), let fields = statFields(stat), fields.count > 23,
            let userTicks = Double(fields[13]), let systemTicks = Double(fields[14]),
            let virtualBytes = Double(fields[22]), let residentPages = Double(fields[23]),
            let start = startTimeSeconds
        else { return nil }
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        var limit = rlimit()
        let maximum = getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 ? Double(limit.rlim_cur) : 0
        return Reading(
            cpuSeconds: (userTicks + systemTicks) / ticksPerSecond,
            residentMemoryBytes: residentPages * Double(sysconf(Int32(_SC_PAGESIZE))),
            virtualMemoryBytes: virtualBytes,
            startTimeSeconds: start,
            openFileDescriptors: Double(countOpenFileDescriptors()),
            maximumFileDescriptors: maximum
        )
        #else
        return nil
        #endif
    }

    #if os(Linux)
    private static let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #endif

    /// Writes the families of `reading` (from ``read()``, which reads files: call it off the cooperative pool).
    public static func write(_ reading: Reading?, format: ExpositionFormat = .text, into buffer: inout ByteBuffer) {
        guard let reading else { return }
        let values: [(MetricFamily, Double)] = [
            (cpuSeconds, reading.cpuSeconds), (maximumFileDescriptors, reading.maximumFileDescriptors),
            (openFileDescriptors, reading.openFileDescriptors), (residentMemory, reading.residentMemoryBytes),
            (startTime, reading.startTimeSeconds), (virtualMemory, reading.virtualMemoryBytes),
        ]
        for (family, value) in values {
            var builder = FixedSamplesBuilder(family)
            builder.add(.empty, value)
            ExpositionText.writeHeader(of: family, format: format, into: &buffer)
            builder.build()?.body.write(into: &buffer, now: 0)
        }
    }

    /// The fields of `/proc/self/stat`, numbered as in proc(5) minus one: 0 the pid, 1 the name,
    /// 13 utime, 14 stime, 21 starttime, 22 vsize, 23 rss.
    static func statFields(_ stat: String) -> [Substring]? {
        // The command name is in parentheses and may contain spaces: split after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let rest = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        return ["pid", "comm"] + rest
    }

    static func bootTime() -> Double? {
        guard let text = readProcFile("/proc/stat") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: " "))
        }
        return nil
    }

    static func countOpenFileDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return count - 1  // the descriptor opendir itself holds
    }

    static func readProcFile(_ path: String) -> String? {
        try? SecretFile.contents(of: path)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return text
    }
}
