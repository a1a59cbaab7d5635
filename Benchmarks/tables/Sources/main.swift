import Contracts
import Foundation
import Tables

/// Parse and validation timings for Benchmarks/tables/run.sh:
/// tables-bench FILE.csv [REFERENCE.csv CONTRACT.yaml]
/// Prints one `key=value` line per measurement.
let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: tables-bench FILE.csv [REFERENCE.csv CONTRACT.yaml]\n".utf8))
    exit(2)
}

/// Process CPU time (user + system) so far, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Wall seconds of `body`; its CPU seconds go to `cpu`.
func seconds(cpu: inout Double, _ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = cpuSeconds()
    try body()
    cpu = cpuSeconds() - cpuStart
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Bytes of the column buffers: values plus one validity bit per row.
func columnBytes(_ table: Table) -> Int {
    table.columns.reduce(0) { total, column in
        let perRow = switch column.type {
        case .float64, .int64, .timestamp: 8
        case .category: 4
        case .bool: 1
        }
        let dictionary = if case .category(_, let strings) = column.values { strings.reduce(0) { $0 + $1.utf8.count } } else { 0 }
        return total + column.count * perRow + (column.count + 7) / 8 + dictionary
    }
}

do {
    var bytes: [UInt8] = []
    var cpu = 0.0
    let readSeconds = try seconds(cpu: &cpu) { bytes = try CSVReader.fileBytes(arguments[1]) }
    var table: Table?
    let parseSeconds = try seconds(cpu: &cpu) { table = try CSVReader.read(bytes: bytes).table }
    print("parse_cpu_seconds=\(cpu)")
    print("bytes=\(bytes.count)")
    print("rows=\(table!.rowCount)")
    print("read_seconds=\(readSeconds)")
    print("parse_seconds=\(parseSeconds)")
    print("column_bytes=\(columnBytes(table!))")
    if arguments.count >= 4 {
        let contract = try Contract.load(contentsOf: arguments[3])
        let options = CSVReadOptions(schema: contract.readSchema)
        var reference: Table?
        var current: Table?
        let parseBothSeconds = try seconds(cpu: &cpu) {
            current = try CSVReader.read(bytes: bytes, options: options).table
            reference = try CSVReader.read(contentsOf: arguments[2], options: options).table
        }
        var report: ValidationReport?
        let validateSeconds = seconds(cpu: &cpu) {
            report = ContractValidator(contract: contract).validate(table: current!, previous: reference!)
        }
        print("parse_with_schema_both_seconds=\(parseBothSeconds)")
        print("validate_seconds=\(validateSeconds)")
        print("validate_cpu_seconds=\(cpu)")
        print("checks=\(report!.checks.count) failed=\(report!.failures.count)")
    }
} catch {
    FileHandle.standardError.write(Data("tables-bench: \(error)\n".utf8))
    exit(1)
}
