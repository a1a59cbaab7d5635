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

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

do {
    var bytes: [UInt8] = []
    let readSeconds = try seconds { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: arguments[1]))) }
    var table: Table?
    let parseSeconds = try seconds { table = try CSVReader.read(bytes: bytes).table }
    print("bytes=\(bytes.count)")
    print("rows=\(table!.rowCount)")
    print("read_seconds=\(readSeconds)")
    print("parse_seconds=\(parseSeconds)")
    if arguments.count >= 4 {
        let contract = try Contract.load(contentsOf: arguments[3])
        let options = CSVReadOptions(schema: contract.readSchema)
        var reference: Table?
        var current: Table?
        let parseBothSeconds = try seconds {
            current = try CSVReader.read(bytes: bytes, options: options).table
            reference = try CSVReader.read(contentsOf: arguments[2], options: options).table
        }
        var report: ValidationReport?
        let validateSeconds = seconds {
            report = ContractValidator(contract: contract).validate(table: current!, previous: reference!)
        }
        print("parse_with_schema_both_seconds=\(parseBothSeconds)")
        print("validate_seconds=\(validateSeconds)")
        print("checks=\(report!.checks.count) failed=\(report!.failures.count)")
    }
} catch {
    FileHandle.standardError.write(Data("tables-bench: \(error)\n".utf8))
    exit(1)
}
