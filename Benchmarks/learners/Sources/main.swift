// Benchmark worker for GitML's learners. Usage:
//   learners-bench <logistic|gbdt|mlp> <data directory> <threads> [mlp epochs | gbdt rounds] [mlp hidden width]
//   learners-bench <gbdt-regression|multinomial> <data directory> <threads> [classes | gbdt rounds]
//   learners-bench gbdt-multiclass <data directory> <threads> <classes> [rounds]
// Reads the float32 column files written by bench.py, fits on the training rows, predicts the
// holdout (written as float64 to <data>/swift-<task>-holdout.f64, row-major with one probability
// per class for the multiclass tasks) and times a predict of the training rows.
// Prints one JSON object with the timings; the model bytes go to <data>/swift-<task>.model.
// `learners-bench predict <data directory> <threads> <model file>` times predict alone (best of 3).
import Foundation
import Kernels
import Learners

/// Reads `count` little-endian float32 values from a file.
func readFloats(_ path: String, count: Int) -> [Float] {
    guard let handle = FileHandle(forReadingAtPath: path) else { fatalError("cannot open \(path)") }
    defer { try? handle.close() }
    var values = [Float](repeating: 0, count: count)
    values.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            guard let chunk = try? handle.read(upToCount: min(1 << 24, buffer.count - offset)), !chunk.isEmpty else {
                fatalError("\(path) is shorter than expected")
            }
            chunk.copyBytes(to: UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + chunk.count)]))
            offset += chunk.count
        }
    }
    return values
}

func seconds(_ start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// CPU seconds used by this process so far (all threads).
func cpuSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
let task = arguments[1], directory = arguments[2]
let threads = ParallelFor.Threads(Int(arguments[3]) ?? 2)
let shape = try! String(contentsOfFile: directory + "/shape.txt", encoding: .utf8)
    .split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
let (trainRows, holdoutRows, columnCount) = (shape[0], shape[1], shape[2])

func matrix(_ prefix: String, rows: Int) -> FeatureMatrix {
    try! FeatureMatrix(numericColumns: (0..<columnCount).map { readFloats("\(directory)/\(prefix)-x\($0).f32", count: rows) })
}

let train = matrix("train", rows: trainRows)
let labels = readFloats(directory + "/train-y.f32", count: trainRows).map(Double.init)

if task == "predict" {
    // Times predict alone for a model saved by an earlier run: learners-bench predict <dir> <threads> <model file>.
    let model = try! ModelCodec.decode(Array(try! Data(contentsOf: URL(fileURLWithPath: arguments[4]))))
    var best = Double.infinity, bestCPU = Double.infinity
    for _ in 0..<3 {
        let start = ContinuousClock.now, cpuStart = cpuSeconds()
        _ = try! model.predict(train, threads: threads)
        best = min(best, seconds(start))
        bestCPU = min(bestCPU, cpuSeconds() - cpuStart)
    }
    print("{\"predict_seconds\": \(best), \"predict_cpu_seconds\": \(bestCPU)}")
    exit(0)
}

let learner: any Learner
switch task {
case "logistic": learner = LogisticRegression(l2: 1, tolerance: 1e-4)
case "gbdt": learner = GradientBoostedTrees(rounds: arguments.count > 4 ? Int(arguments[4])! : 100, learningRate: 0.1, numLeaves: 31)
case "gbdt-regression":
    learner = GradientBoostedTrees(objective: .squaredError, rounds: arguments.count > 4 ? Int(arguments[4])! : 100,
                                   learningRate: 0.1, numLeaves: 31)
case "gbdt-multiclass":
    learner = GradientBoostedTrees(objective: .multiclassSoftmax, rounds: arguments.count > 5 ? Int(arguments[5])! : 100,
                                   learningRate: 0.1, numLeaves: 31,
                                   classCount: Int(arguments[4])!)
case "multinomial": learner = MultinomialLogisticRegression(classCount: Int(arguments[4])!, l2: 1, tolerance: 1e-4)
case "mlp":
    let epochs = arguments.count > 4 ? Int(arguments[4])! : 3
    let width = arguments.count > 5 ? Int(arguments[5])! : 32
    learner = MultilayerPerceptron(hiddenLayers: [width], learningRate: 1e-3, batchSize: 200, epochs: epochs, l2: 1e-4)
default: fatalError("unknown task \(task)")
}

let fitStart = ContinuousClock.now, fitCPUStart = cpuSeconds()
let model = try! learner.fit(train, labels: labels, seed: 42, threads: threads)
let fitSeconds = seconds(fitStart), fitCPUSeconds = cpuSeconds() - fitCPUStart
try! Data(model.serialized()).write(to: URL(fileURLWithPath: "\(directory)/swift-\(task).model"))

let predictStart = ContinuousClock.now, predictCPUStart = cpuSeconds()
_ = try! model.predict(train, threads: threads)
let predictSeconds = seconds(predictStart), predictCPUSeconds = cpuSeconds() - predictCPUStart

let holdout = matrix("holdout", rows: holdoutRows)
let scores = try! model.predict(holdout, threads: threads)
let data = scores.withUnsafeBytes { Data($0) }
try! data.write(to: URL(fileURLWithPath: "\(directory)/swift-\(task)-holdout.f64"))

var extra = ""
if let logistic = model as? LogisticRegressionModel {
    extra = ", \"iterations\": \(logistic.report.iterations), \"converged\": \(logistic.report.converged)"
} else if let multinomial = model as? MultinomialLogisticRegressionModel {
    extra = ", \"iterations\": \(multinomial.report.iterations), \"converged\": \(multinomial.report.converged)"
}
print("{\"fit_seconds\": \(fitSeconds), \"fit_cpu_seconds\": \(fitCPUSeconds), \"predict_seconds\": \(predictSeconds), "
      + "\"predict_cpu_seconds\": \(predictCPUSeconds), \"profile\": \"\(NumericProfile.id)\"\(extra)}")
