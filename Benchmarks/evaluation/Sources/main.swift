// Times the Evaluation hot paths on data files written by bench.py and prints one JSON line
// per measurement. Usage:
//   EvaluationBenchmark auc SCORES.f64 LABELS.u8
//   EvaluationBenchmark bootstrap SCORES.f64 LABELS.u8 RESAMPLES
//   EvaluationBenchmark paired BASELINE.f64 CANDIDATE.f64 LABELS.u8 RESAMPLES
//   EvaluationBenchmark regression TARGETS.f64 PREDICTIONS.f64      (RMSE, MAE, R²)
//   EvaluationBenchmark multiclass LABELS.u8 PROBABILITIES.f64 K    (log loss, macro F1, OvR macro AUC;
//                                                                   probabilities row-major, K per row)
import Dispatch
import Evaluation
import Foundation

func readDoubles(_ path: String) throws -> [Double] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
}

func readLabels(_ path: String) throws -> [Bool] {
    try Data(contentsOf: URL(fileURLWithPath: path)).map { $0 != 0 }
}

/// CPU seconds used by this process so far (all threads).
func processCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Best wall-clock seconds of `repeats` runs, the CPU seconds of that run, and the last result.
func best<T>(_ repeats: Int, _ body: () throws -> T) rethrows -> (seconds: Double, cpu: Double, result: T) {
    var fastest = Double.infinity, cpu = 0.0
    var result: T?
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds, startCPU = processCPUSeconds()
        result = try body()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if wall < fastest { (fastest, cpu) = (wall, processCPUSeconds() - startCPU) }
    }
    return (fastest, cpu, result!)
}

func report(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "auc":
    let data = try BinaryPredictions(scores: readDoubles(arguments[2]), labels: readLabels(arguments[3]))
    let (seconds, cpu, values) = try best(3) { () throws -> (Double, Double) in
        let curve = RankedPredictions(data).curve()
        return (try curve.rocAUC().value, curve.averagePrecision().value)
    }
    report(["mode": "auc", "rows": data.count, "seconds": seconds, "cpu": cpu, "roc_auc": values.0, "average_precision": values.1])
case "bootstrap":
    let data = RankedPredictions(try BinaryPredictions(scores: readDoubles(arguments[2]), labels: readLabels(arguments[3])))
    let plan = BootstrapPlan(resamples: Int(arguments[4])!, seed: 1, bca: false)
    let (seconds, cpu, result) = try best(2) { try Bootstrap.metric(.rocAUC, data, plan: plan) }
    report(["mode": "bootstrap", "rows": data.predictions.count, "resamples": plan.resamples, "seconds": seconds, "cpu": cpu,
            "lower": result.percentile.lower, "upper": result.percentile.upper])
case "paired":
    let labels = try readLabels(arguments[4])
    let baseline = RankedPredictions(try BinaryPredictions(scores: readDoubles(arguments[2]), labels: labels))
    let candidate = RankedPredictions(try BinaryPredictions(scores: readDoubles(arguments[3]), labels: labels))
    let plan = BootstrapPlan(resamples: Int(arguments[5])!, seed: 1, bca: false)
    let (seconds, cpu, result) = try best(3) { try Bootstrap.difference(.rocAUC, baseline: baseline, candidate: candidate, plan: plan) }
    report(["mode": "paired", "rows": labels.count, "resamples": plan.resamples, "seconds": seconds, "cpu": cpu,
            "lower": result.percentile.lower, "upper": result.percentile.upper])
case "regression":
    let data = try RegressionPredictions(targets: readDoubles(arguments[2]), predictions: readDoubles(arguments[3]))
    // The three from one pass over the rows, as `git ml eval` computes them.
    let (seconds, cpu, values) = best(3) {
        let moments = RegressionMoments(data)
        return (moments.rootMeanSquaredError.value, moments.meanAbsoluteError.value, moments.r2.value)
    }
    report(["mode": "regression", "rows": data.count, "seconds": seconds, "cpu": cpu,
            "rmse": values.0, "mae": values.1, "r2": values.2])
case "multiclass":
    let labels = try Data(contentsOf: URL(fileURLWithPath: arguments[2])).map(Int.init)
    let data = try MulticlassPredictions(classCount: Int(arguments[4])!, labels: labels,
                                         probabilities: readDoubles(arguments[3]))
    let (seconds, cpu, values) = try best(3) { () throws -> (Double, Double, Double) in
        (MulticlassMetrics.logLoss(data).value, MulticlassMetrics.f1(data, average: .macro).value,
         try MulticlassMetrics.rocAUCOneVsRest(data, average: .macro).value)
    }
    report(["mode": "multiclass", "rows": labels.count, "seconds": seconds, "cpu": cpu,
            "log_loss": values.0, "macro_f1": values.1, "ovr_macro_auc": values.2])
default:
    FileHandle.standardError.write(Data("usage: EvaluationBenchmark auc|bootstrap|paired|regression|multiclass FILES…\n".utf8))
    exit(2)
}
