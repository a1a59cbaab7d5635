import Contracts
import Foundation
import Platform
import Tables

/// Read and validation timings for Benchmarks/parquet/run.sh:
///   parquet-bench FILE [CONTRACT.yaml]   read FILE (Parquet or compressed text) with every core;
///                                        with a contract, read the columns it names with its
///                                        types (`ContractValidator.columnsRead`, as `git ml data
///                                        validate` of a first version) and validate
/// Prints one `key=value` line per measurement (wall and CPU seconds).
let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: parquet-bench FILE [CONTRACT.yaml]\n".utf8))
    exit(2)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

do {
    let path = arguments[1]
    var start = now()
    var cpuStart = ProcessCPUTime.seconds()
    var table: Table? = try TableFile.read(contentsOf: path).table
    print("read_seconds=\(now() - start)")
    print("read_cpu_seconds=\(ProcessCPUTime.seconds() - cpuStart)")
    print("rows=\(table!.rowCount)")
    print("columns=\(table!.columns.count)")
    if arguments.count == 3 {
        table = nil
        let contract = try Contract.load(contentsOf: arguments[2])
        start = now()
        cpuStart = ProcessCPUTime.seconds()
        let validator = ContractValidator(contract: contract)
        let typed = try TableFile.read(contentsOf: path, schema: contract.readSchema,
                                       selection: validator.columnsRead(withReference: false)).table
        let report = validator.validate(table: typed)
        print("read_and_validate_seconds=\(now() - start)")
        print("read_and_validate_cpu_seconds=\(ProcessCPUTime.seconds() - cpuStart)")
        print("columns_validated=\(typed.columns.count)")
        print("checks=\(report.checks.count)")
    }
} catch {
    FileHandle.standardError.write(Data("parquet-bench: \(error)\n".utf8))
    exit(1)
}
