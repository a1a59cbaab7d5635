// Metering overhead and agreement between the two methods, printed as Markdown tables.
// Run: swift run -c release metering-bench   (root on a machine with a writable cgroup v2 for
// the cgroup_v2 rows; otherwise both rows are rusage and the table says so).
import Foundation
import Glibc
import Metering

let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
let methods: [(String, MethodPreference)] = [("automatic", .automatic), ("rusage", .rusage)]

func shell(_ script: String) -> LaunchSpec {
    LaunchSpec(arguments: ["sh", "-c", script], environment: environment, standardInput: .nullDevice)
}

func selfCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
}

func format(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

print("## Launch and wait: `/bin/true`, 40 runs per method\n")
print("| preference | method used | caller's time per run, median ms | p90 ms |")
print("|---|---|---|---|")
for (name, preference) in methods {
    var times: [Double] = []
    var used = ""
    for _ in 0..<40 {
        let start = now()
        let result = try MeteredProcess.run(LaunchSpec(arguments: ["/bin/true"], environment: environment),
                                            options: MeteringOptions(methodPreference: preference))
        times.append((now() - start) * 1000)
        used = result.measurement.method.rawValue
    }
    print("| \(name) | \(used) | \(format(percentile(times, 0.5))) | \(format(percentile(times, 0.9))) |")
}

let processCount = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil }.count ?? 0
print("\n## Meter's own CPU while a tree sleeps 3 s (sampling every 100 ms; \(processCount) processes on the machine)\n")
print("| preference | method used | meter CPU, ms per wall second | % of one core |")
print("|---|---|---|---|")
for (name, preference) in methods {
    let cpuBefore = selfCPUSeconds()
    let result = try MeteredProcess.run(shell("sleep 3"), options: MeteringOptions(methodPreference: preference))
    let perSecond = (selfCPUSeconds() - cpuBefore) / result.measurement.wallSeconds
    print("| \(name) | \(result.measurement.method.rawValue) | \(format(perSecond * 1000)) | \(format(perSecond * 100, 3)) |")
}

let busy = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done"
let workloads: [(String, String)] = [
    ("root busy loop", busy),
    ("two background busy loops, waited for", "( \(busy) ) & ( \(busy) ) & wait"),
    ("a setsid'd, orphaned busy loop (daemon)", "setsid sh -c '( \(busy) ) & exit 0'; sleep 1.5"),
]
print("\n## CPU seconds measured for the same tree\n")
print("| tree | automatic: method | CPU s | rusage: CPU s |")
print("|---|---|---|---|")
for (label, script) in workloads {
    let automatic = try MeteredProcess.run(shell(script), options: MeteringOptions(methodPreference: .automatic))
    let rusage = try MeteredProcess.run(shell(script), options: MeteringOptions(methodPreference: .rusage))
    print("| \(label) | \(automatic.measurement.method.rawValue) | \(format(automatic.measurement.cpuSeconds, 3)) | \(format(rusage.measurement.cpuSeconds, 3)) |")
}
