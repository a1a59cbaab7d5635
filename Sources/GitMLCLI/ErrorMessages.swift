import Contracts
import Gate
import Metering
import Foundation
import Evaluation
import Tables

/// One-line messages for the computing modules' typed errors: what is wrong, where, what to do.
/// (The modules stay free of presentation; the CLI is the only place that prints.)
extension TableReadError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .emptyInput: return "the file is empty: it has no header and no rows"
        case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
        case .raggedRow(let line, let expected, let found):
            return "line \(line): \(found) fields, expected \(expected) like the header (fix the row, or quote fields that contain the delimiter)"
        case .invalidUTF8(let line, let column): return "line \(line), column \(column): invalid UTF-8 (re-encode the file as UTF-8)"
        case .unterminatedQuote(let line, let column): return "line \(line), column \(column): a quoted field is never closed"
        case .unexpectedQuote(let line, let column): return "line \(line), column \(column): a quote inside an unquoted field (double it or quote the field)"
        case .fieldTooLarge(let line, let column, let bytes, let limit):
            return "line \(line), column \(column): a field of \(bytes) bytes exceeds the \(limit)-byte limit"
        case .valueDoesNotMatchType(let line, let column, let name, let value, let expected):
            return "line \(line), column \(column): '\(value)' in column \(name) is not a \(expected)"
        case .duplicateColumnName(let name): return "the header names column '\(name)' twice"
        case .unknownSchemaColumn(let name): return "the schema names column '\(name)', which the file does not have"
        case .invalidJSON(let line, let column, let reason): return "line \(line), column \(column): invalid JSON: \(reason)"
        case .corruptCompressedInput(let path, let format, let reason):
            return "\(path): the \(format) stream is corrupt or cut short (\(reason)); re-create or re-download the file"
        case .invalidParquet(let path, let rowGroup, let column, let problem):
            let place = [rowGroup.map { "row group \($0)" }, column.map { "column '\($0)'" }].compactMap { $0 }.joined(separator: ", ")
            return "\(path)\(place.isEmpty ? "" : " (\(place))"): \(problem)"
        }
    }
}

extension ParquetProblem: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notParquet: return "not a Parquet file (no PAR1 magic at its start and end; encrypted files end in PARE and are not read)"
        case .truncated(let what): return "truncated or corrupt: \(what) (the file may be cut short; copy it again)"
        case .malformed(let what): return "malformed Parquet: \(what)"
        case .unsupported(let what): return "\(what) is not supported (rewrite the file with pyarrow defaults)"
        case .nestedColumn(let kind): return "nested column (\(kind)) is not supported: flatten it or leave it out of the file"
        case .decompressionFailed(let codec, let reason): return "a \(codec) page does not decompress: \(reason)"
        case .checksumMismatch(let page): return "page \(page) fails its CRC-32 check: the file is corrupt"
        case .dictionaryIndexOutOfRange(let index, let size): return "dictionary index \(index) is past the dictionary's \(size) entries: the file is corrupt"
        case .valueOutOfRange(let what): return "\(what)"
        }
    }
}

extension EvaluationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .lengthMismatch(let what, let expected, let actual): return "\(what) has \(actual) rows, expected \(expected)"
        case .empty(let what): return "no rows to evaluate in \(what)"
        case .nonFinite(let what, let row, let value): return "\(what) is \(value) at row \(row + 1): remove or fix non-finite values"
        case .labelNotBinary(let row, let value): return "label \(value) at row \(row + 1) is not 0 or 1 (name the positive class with --positive)"
        case .negativeWeight(let row, let value): return "weight \(value) at row \(row + 1) is negative"
        case .probabilityOutOfRange(let row, let value): return "score \(value) at row \(row + 1) is not a probability in [0, 1]"
        case let .outOfDomain(what, row, value, expected): return "\(what) \(value) at row \(row + 1) is outside the metric's domain: expected \(expected)"
        case .invalidParameter(let name, let value, let expected): return "\(name) = \(value): expected \(expected)"
        case .noFeasibleThreshold(let rule): return "no threshold on the validation rows satisfies \(rule): relax the rule or add validation rows"
        case .rowsDiffer(let what, let row): return "the two prediction files differ in \(what) at row \(row + 1): compare predictions of the same rows"
        case .unmatchedID(let id, let side): return "row id '\(id)' is duplicated or missing on the \(side) side: both files must hold the same ids once"
        }
    }
}

extension GateEvaluationError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .evaluation(let error): return "\(error)"
        case .noPredictions(let what): return "no predictions for the \(what)"
        case let .seedCountMismatch(what, expected, count): return "the \(what) has predictions of \(count) seeds; \(expected) were expected"
        case let .seedRowsDiffer(what, seed, row):
            return "seed \(seed) of the \(what) scores other rows than seed 0 (first difference at row \(row)): every seed must score the same rows in the same order"
        case let .missingColumn(what, column): return "the \(what) lacks column '\(column)', which the suite names (entity or slice)"
        case let .columnLength(what, column, expected, actual): return "column '\(column)' of the \(what) has \(actual) values for \(expected) rows"
        case let .artifactSeedOutOfRange(seed, seeds): return "the candidate names seed index \(seed), but only \(seeds) seeds ran"
        }
    }
}

extension MeteringError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .invalidRate(name, value): return "ml/config.yaml: cost.\(name) is \(value): give a non-negative number of US dollars"
        case let .invalidBudget(limit, value): return "budget \(limit.rawValue) is \(value): give a positive number"
        case .emptyCommand: return "no command to run: give it after --"
        case let .executableNotFound(name, searchPath): return "\(name): command not found (searched \(searchPath))"
        case let .launchFailed(executable, code): return "cannot start \(executable): \(String(cString: strerror(code)))"
        case let .cannotOpenRedirection(path, code): return "cannot open \(path): \(String(cString: strerror(code)))"
        case .workingDirectoryMissing(let path): return "the working directory \(path) does not exist"
        case let .cgroupMigrationFailed(path, code): return "cannot move the command into the cgroup \(path): \(String(cString: strerror(code)))"
        case let .waitFailed(pid, code): return "waiting for process \(pid) failed: \(String(cString: strerror(code)))"
        }
    }
}
