import Foundation

/// The process's CPU time, memory and file descriptors, read from `/proc/self` at each scrape
/// (Prometheus' standard `process_*` names). Empty where there is no `/proc` (macOS).
struct ProcessMetrics: Sendable {
    var cpuSeconds: Double?
    var residentBytes: Double?
    var virtualBytes: Double?
    var openFileDescriptors: Int?
    var maxFileDescriptors: Double?
    var startTimeSeconds: Double?

    /// `sysconf(_SC_CLK_TCK)` is 100 on every Linux this runs on.
    private static let clockTicksPerSecond = 100.0

    static func sample() -> ProcessMetrics {
        var metrics = ProcessMetrics()
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
            // Fields after the command name (which may hold spaces), from field 3 (state) on.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
            if let user = field(14), let system = field(15) { metrics.cpuSeconds = (user + system) / clockTicksPerSecond }
            metrics.virtualBytes = field(23)
            if let pages = field(24) { metrics.residentBytes = pages * Double(sysconf(Int32(_SC_PAGESIZE))) }
            if let startTicks = field(22), let boot = bootTime() { metrics.startTimeSeconds = boot + startTicks / clockTicksPerSecond }
        }
        metrics.openFileDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")).map(\.count)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { metrics.maxFileDescriptors = Double(limit.rlim_cur) }
        return metrics
    }

    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        return stat.split(separator: "\n").first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) }
    }

    var exposition: String {
        var text = ""
        func add(_ name: String, _ type: String, _ help: String, _ value: Double?) {
            guard let value else { return }
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        add("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", cpuSeconds)
        add("process_resident_memory_bytes", "gauge", "Resident memory, in bytes.", residentBytes)
        add("process_virtual_memory_bytes", "gauge", "Virtual memory, in bytes.", virtualBytes)
        add("process_open_fds", "gauge", "Open file descriptors.", openFileDescriptors.map(Double.init))
        add("process_max_fds", "gauge", "The limit of open file descriptors.", maxFileDescriptors)
        add("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.", startTimeSeconds)
        return text
    }
}
