import Foundation
import XCTest

/// A multiclass use case through `git ml run`: a suite with declared classes, softmax GBDT and
/// multinomial logistic experiments, the suite's multiclass report in the run record, and
/// `git ml predict` writing one probability column per class.
final class MulticlassRunCLITests: CLITestCase {
    func testMulticlassExperimentsRunAndPredictOneColumnPerClass() throws {
        try setUpTriageProject(trainRows: 1200, evalRows: 600)

        for (name, model) in [("gbdt", "{ kind: gbdt, rounds: 40, num_leaves: 15, learning_rate: 0.2 }"),
                              ("logistic", "{ kind: logistic_regression, l2: 1.0 }")] {
            try TriageProject.experiment(model).write(toFile: repo + "/ml/experiments/\(name).yaml", atomically: true, encoding: .utf8)
            try run("git", "add", "ml")
            try run("git", "commit", "-qm", "experiment \(name)")
            try run("git", "ml", "run", name)
            let record = (try json(try run("git", "ml", "log", "--json", "-n", "1").stdout) as! [[String: Any]])[0]
            let id = String((record["id"] as! String).dropFirst(7).prefix(12))
            let metrics = try XCTUnwrap(record["metrics"] as? [String: Any], "\(record)")
            let headline = try XCTUnwrap(metrics["headline"] as? [String: Any], "\(metrics)")
            XCTAssertEqual(headline["metric"] as? String, "log_loss")
            let logLoss = try XCTUnwrap(headline["value"] as? Double)
            XCTAssertLessThan(logLoss, Foundation.log(3.0) * 0.8, "\(name) learned something: \(logLoss)")

            let predicted = try run("git", "ml", "predict", id, "eval.csv").stdout.split(separator: "\n")
            XCTAssertEqual(predicted.first, "row,p_billing,p_network,p_other")
            XCTAssertEqual(predicted.count, 601)
            let probabilities = predicted[1].split(separator: ",").dropFirst().compactMap { Double($0) }
            XCTAssertEqual(probabilities.count, 3)
            XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-9)
            let reproduced = try run("git", "ml", "reproduce", id)
            XCTAssertTrue(reproduced.stdout.contains("identical"), reproduced.stdout)
            try run("git", "mlcommit", "-m", "candidate \(name)", id)
        }
        // A label outside the declared classes is refused, naming it.
        try "ticket_id,amount,latency,channel,team\n1,5,5,mail,sales\n2,70,5,mail,billing\n"
            .write(toFile: repo + "/bad.csv", atomically: true, encoding: .utf8)
        try run("git", "ml", "data", "add", "bad.csv", "--name", "tickets-train", "--no-checks")
        try run("git", "add", "-A")
        try run("git", "commit", "-qm", "bad labels")
        try TriageProject.experiment("{ kind: logistic_regression }").replacingOccurrences(of: "tickets-train@v1", with: "tickets-train@v2")
            .write(toFile: repo + "/ml/experiments/bad.yaml", atomically: true, encoding: .utf8)
        let refused = try run("git", "ml", "run", "bad", expect: 1)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("sales"), refused.stdout + refused.stderr)
    }
}
