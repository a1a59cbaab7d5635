import Contracts
import Foundation
import Platform
import Tables

/// Parse and validation timings for Benchmarks/tables/run.sh:
///   tables-bench FILE.csv                           parse with inferred types
///   tables-bench FILE.csv --float32 CONTRACT.yaml   parse with the contract's types, its number
///                                                   columns as float32
///   tables-bench FILE.csv REFERENCE.csv CONTRACT.yaml   parse both with the contract's types,
///                                                   then validate (with and without drift)
/// Prints one `key=value` line per measurement.
let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: tables-bench FILE.csv [--float32 CONTRACT.yaml | REFERENCE.csv CONTRACT.yaml]\n".utf8))
    exit(2)
}

/// Wall seconds of `body`; its CPU seconds go to `cpu`.
func seconds(cpu: inout Double, _ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpuStart = ProcessCPUTime.seconds()
    try body()
    cpu = ProcessCPUTime.seconds() - cpuStart
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Bytes of the column buffers: values plus one validity bit per row.
func columnBytes(_ table: Table) -> Int {
    table.columns.reduce(0) { total, column in
        let perRow = switch column.type {
        case .float64, .int64, .timestamp: 8
        case .float32, .category: 4
        case .bool: 1
        }
        let dictionary = if case .category(_, let strings) = column.values { strings.reduce(0) { $0 + $1.utf8.count } } else { 0 }
        return total + column.count * perRow + (column.count + 7) / 8 + dictionary
    }
}

do {
    let path = arguments[1]
    let float32 = arguments.count == 4 && arguments[2] == "--float32"
    var options = CSVReadOptions()
    if float32 {
        let contract = try Contract.load(contentsOf: arguments[3])
        options.schema = contract.readSchema.mapValues { $0 == .float64 ? .float32 : $0 }
    }
    var cpu = 0.0
    var table: Table?
    let parseSeconds = try seconds(cpu: &cpu) { table = try CSVReader.read(contentsOf: path, options: options).table }
    let bytes = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    print("parse_cpu_seconds=\(cpu)")
    print("bytes=\(bytes)")
    print("rows=\(table!.rowCount)")
    print("parse_seconds=\(parseSeconds)")
    print("column_bytes=\(columnBytes(table!))")
    if arguments.count == 4 && !float32 {
        table = nil
        let contract = try Contract.load(contentsOf: arguments[3])
        let options = CSVReadOptions(schema: contract.readSchema)
        var reference: Table?
        var current: Table?
        let parseBothSeconds = try seconds(cpu: &cpu) {
            current = try CSVReader.read(contentsOf: path, options: options).table
            reference = try CSVReader.read(contentsOf: arguments[2], options: options).table
        }
        let parseBothCPU = cpu
        var report: ValidationReport?
        let validator = ContractValidator(contract: contract)
        let validateSeconds = seconds(cpu: &cpu) { report = validator.validate(table: current!, previous: reference!) }
        print("parse_with_schema_both_seconds=\(parseBothSeconds)")
        print("parse_with_schema_both_cpu_seconds=\(parseBothCPU)")
        print("validate_seconds=\(validateSeconds)")
        print("validate_cpu_seconds=\(cpu)")
        print("checks=\(report!.checks.count)")
        print("failed=\(report!.failures.count)")
        print("failed_checks=\(report!.failures.map { "\($0.kind)(\($0.column ?? ""))" }.joined(separator: " "))")
        let alone = seconds(cpu: &cpu) { report = validator.validate(table: current!) }
        print("validate_nodrift_seconds=\(alone)")
        print("validate_nodrift_cpu_seconds=\(cpu)")
        print("nodrift_checks=\(report!.checks.count)")
        print("nodrift_failed=\(report!.failures.count)")
    }
} catch {
    FileHandle.standardError.write(Data("tables-bench: \(error)\n".utf8))
    exit(1)
}
