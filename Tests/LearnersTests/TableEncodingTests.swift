import Foundation
import Tables
import XCTest
@testable import Learners

final class TableEncodingTests: XCTestCase {
    /// Train on one CSV, predict on another whose category dictionary has another order and an
    /// unseen value: rows with the same values get the same scores.
    func testTablesFromDifferentFilesEncodeAlike() throws {
        var train = "plan,x,flag,churned\n"
        for i in 0..<600 {
            let plan = ["basic", "pro", "team"][i % 3]
            train += "\(plan),\(Double(i % 17) / 17),\(i % 2 == 0),\(plan == "pro" && i % 17 > 8 ? "yes" : "no")\n"
        }
        let trainTable = try CSVReader.read(text: train).table
        let encoding = try TableEncoding(fitting: trainTable, excluding: ["churned"])
        XCTAssertEqual(encoding.schema.description, "plan:categorical, x:numeric, flag:numeric")
        XCTAssertEqual(encoding.features[0].vocabulary, ["basic", "pro", "team"])
        let labels = try TableEncoding.binaryLabels(trainTable, column: "churned", positive: "yes")
        XCTAssertEqual(labels.filter { $0 == 1 }.count, (0..<600).filter { $0 % 3 == 1 && $0 % 17 > 8 }.count)

        let learner = try LearnerConfiguration.learner(kind: "gbdt", task: .binaryClassification,
                                                       hyperparameters: ["rounds": .number(20), "num_leaves": .number(4)])
        let model = try learner.fit(try encoding.matrix(trainTable), labels: labels, seed: 1, threads: .one)

        // "team" first, an unseen "enterprise": the dictionary differs from training.
        let fresh = try CSVReader.read(text: "plan,x,flag,churned\nteam,0.9,true,no\npro,0.9,false,yes\nenterprise,0.9,true,no\npro,0.1,true,no\n").table
        let scores = try model.predict(try encoding.matrix(fresh), threads: .one)
        let reference = try model.predict(try encoding.matrix(try CSVReader.read(text: "plan,x,flag\npro,0.9,false\npro,0.1,true\n").table), threads: .one)
        XCTAssertEqual(scores[1], reference[0])
        XCTAssertEqual(scores[3], reference[1])
        XCTAssertGreaterThan(scores[1], scores[0], "pro with a high x churns, team does not")
        XCTAssertTrue(scores[2].isFinite, "an unseen category is encoded as missing, not a crash")

        let roundTrip = try JSONDecoder().decode(TableEncoding.self, from: try JSONEncoder().encode(encoding))
        XCTAssertEqual(roundTrip, encoding)
        XCTAssertThrowsError(try encoding.matrix(try CSVReader.read(text: "plan,flag\npro,true\n").table)) { error in
            XCTAssertEqual("\(error)", "the table has no column 'x', which the model needs")
        }
    }
}
