import Foundation
import XCTest
@testable import Metering

final class CostTests: XCTestCase {
    func testUSDAddsCPUHoursGPUHoursAndOneMonthOfStorage() {
        let rates = CostRates(cpuHourUSD: 0.048, gpuHourUSD: 2.5, gbMonthUSD: 0.023)
        let measurement = CostMeasurement(cpuSeconds: 900, wallSeconds: 600, peakRSSBytes: 1 << 30,
                                          bytesStored: 2_500_000_000, gpuSeconds: 1800, method: .rusage,
                                          peakMemoryMethod: .largestProcessPeak)
        // 0.25 h × 0.048 + 0.5 h × 2.5 + 2.5 GB × 0.023 = 0.012 + 1.25 + 0.0575
        XCTAssertEqual(measurement.usd(at: rates), 1.3195, accuracy: 1e-12)
        XCTAssertEqual(measurement.usd(at: CostRates()), 0)
    }

    func testCPUOnlyCostIsLinearInSeconds() {
        let rates = CostRates(cpuHourUSD: 3.6)
        for seconds in [0.0, 1, 37.5, 3600, 86_400] {
            let measurement = CostMeasurement(cpuSeconds: seconds, wallSeconds: 0, peakRSSBytes: 0, method: .cgroupV2,
                                              peakMemoryMethod: .cgroupMemoryPeak)
            XCTAssertEqual(measurement.usd(at: rates), seconds * 0.001, accuracy: 1e-12)
        }
    }

    func testRatesDecodeFromConfigKeysWithMissingRatesZero() throws {
        let json = #"{"cpu_hour_usd": 0.048, "gb_month_usd": 0.023}"#
        let rates = try JSONDecoder().decode(CostRates.self, from: Data(json.utf8))
        XCTAssertEqual(rates, CostRates(cpuHourUSD: 0.048, gpuHourUSD: 0, gbMonthUSD: 0.023))
    }

    func testMeasurementEncodesSnakeCaseKeysAndMethodNames() throws {
        let measurement = CostMeasurement(cpuSeconds: 1.5, wallSeconds: 2, peakRSSBytes: 4096, bytesStored: 10,
                                          method: .cgroupV2, peakMemoryMethod: .largestProcessPeak)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(measurement), as: UTF8.self)
        XCTAssertEqual(text, #"{"bytes_stored":10,"cpu_seconds":1.5,"gpu_seconds":0,"method":"cgroup_v2","#
                       + #""peak_memory_method":"process_peak_rss","peak_rss_bytes":4096,"wall_seconds":2}"#)
        XCTAssertEqual(try JSONDecoder().decode(CostMeasurement.self, from: Data(text.utf8)), measurement)
    }

    func testInvalidRatesAndBudgetsAreNamed() {
        XCTAssertThrowsError(try CostRates(cpuHourUSD: -1).validated()) { error in
            XCTAssertEqual(error as? MeteringError, .invalidRate(name: "cpu_hour_usd", value: -1))
        }
        XCTAssertThrowsError(try Budget(maxWallSeconds: .nan).validated()) { error in
            guard case .invalidBudget(limit: .wallSeconds, value: let value)? = error as? MeteringError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(value.isNaN)
        }
    }

    func testBudgetReportsFirstExceededLimit() throws {
        let budget = Budget(maxCPUSeconds: 10, maxWallSeconds: 20, maxUSD: 0.5)
        XCTAssertNil(budget.exceededLimit(cpuSeconds: 10, wallSeconds: 20, usd: 0.5))
        XCTAssertEqual(budget.exceededLimit(cpuSeconds: 10.1, wallSeconds: 30, usd: 1), .cpuSeconds)
        XCTAssertEqual(budget.exceededLimit(cpuSeconds: 1, wallSeconds: 30, usd: 1), .wallSeconds)
        XCTAssertEqual(budget.exceededLimit(cpuSeconds: 1, wallSeconds: 1, usd: 0.51), .usd)
        XCTAssertNil(Budget.unlimited.exceededLimit(cpuSeconds: 1e9, wallSeconds: 1e9, usd: 1e9))
        let decoded = try JSONDecoder().decode(Budget.self, from: Data(#"{"max_cpu_seconds": 900, "max_usd": 0.1}"#.utf8))
        XCTAssertEqual(decoded, Budget(maxCPUSeconds: 900, maxUSD: 0.1))
    }
}
