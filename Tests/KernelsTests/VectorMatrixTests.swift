import XCTest
@testable import Kernels

final class VectorMatrixTests: XCTestCase {
    /// Small integers keep every product and partial sum exact, so any order gives the same answer.
    private func integers(_ count: Int, seed: Int) -> [Double] {
        (0..<count).map { Double(($0 * 7 + seed * 13) % 11) - 5 }
    }

    func testDotSumAndAxpyMatchNaiveLoopsForEveryTailLength() {
        for count in [0, 1, 15, 16, 17, 31, 32, 33, 100] {
            let a = integers(count, seed: 1), b = integers(count, seed: 2)
            let expectedDot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertEqual(Vector.dot(a, b, count: count), expectedDot, "count \(count)")
            XCTAssertEqual(Vector.sum(a, count: count), a.reduce(0, +), "count \(count)")
            XCTAssertEqual(Vector.scaledSum(a, count: count, scale: 3), 3 * a.reduce(0, +))
            var y = b
            Vector.axpy(2, a, &y, count: count)
            XCTAssertEqual(y, zip(a, b).map { 2 * $0 + $1 })
            var scaled = a
            Vector.scale(&scaled, count: count, by: -3)
            XCTAssertEqual(scaled, a.map { -3 * $0 })
        }
    }

    func testFloatDotUsesFloatLanes() {
        let a: [Float] = (0..<40).map { Float($0) }, b = [Float](repeating: 0.5, count: 40)
        XCTAssertEqual(Vector.dot(a, b, count: 40), 390)
    }

    func testGemvRowAndColumnMajorAgreeWithDefinition() {
        let rows = 5, columns = 3
        // Row-major a[i, j] = i + 10 j; column-major copy of the same matrix.
        let rowMajor = (0..<rows).flatMap { i in (0..<columns).map { j in Double(i + 10 * j) } }
        let columnMajor = (0..<columns).flatMap { j in (0..<rows).map { i in Double(i + 10 * j) } }
        let x: [Double] = [1, -2, 3]
        let expected = (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + Double(i + 10 * $1) * x[$1] } }
        var y = [Double](repeating: .nan, count: rows)
        Matrix.gemvRowMajor(rowMajor, rows: rows, columns: columns, x, &y)
        XCTAssertEqual(y, expected)
        var z = [Double](repeating: .nan, count: rows)
        Matrix.gemvColumnMajor(columnMajor, leadingDimension: rows, rows: 0..<rows, columns: columns, x, &z)
        XCTAssertEqual(z, expected)
        let v: [Double] = [1, 0, 2, 0, -1]
        var t = [Double](repeating: .nan, count: columns)
        Matrix.gemvTransposedColumnMajor(columnMajor, leadingDimension: rows, rows: 0..<rows,
                                         columns: columns, v, &t)
        XCTAssertEqual(t, (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + Double($1 + 10 * j) * v[$1] } })
    }

    func testGemmVariantsMatchDefinition() {
        let m = 3, k = 4, n = 2
        let a = integers(m * k, seed: 3), b = integers(k * n, seed: 4)
        var expected = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        var c = [Double](repeating: .nan, count: m * n)
        Matrix.gemm(a, b, &c, m: m, k: k, n: n)
        XCTAssertEqual(c, expected)
        // aᵀ stored row-major (k×m) times b gives the same product.
        let aTransposed = (0..<k).flatMap { p in (0..<m).map { i in a[i * k + p] } }
        var c2 = [Double](repeating: .nan, count: m * n)
        Matrix.gemmTransposedA(aTransposed, b, &c2, m: m, k: k, n: n)
        XCTAssertEqual(c2, expected)
        let bTransposed = (0..<n).flatMap { j in (0..<k).map { p in b[p * n + j] } }
        var c3 = [Double](repeating: .nan, count: m * n)
        Matrix.gemmTransposedB(a, bTransposed, &c3, m: m, k: k, n: n)
        XCTAssertEqual(c3, expected)
        Matrix.gemm(a, b, &c3, m: m, k: k, n: n, accumulate: true)
        XCTAssertEqual(c3, expected.map { 2 * $0 })
    }

    /// The register-blocked path (16 columns at a time) and the tail add products in p order,
    /// exactly like the textbook loop.
    func testGemmAddsProductsInOrderForWideMatrices() {
        let m = 5, k = 19, n = 37
        let a = (0..<(m * k)).map { sin(Double($0)) }, b = (0..<(k * n)).map { cos(Double($0) * 0.7) }
        var expected = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { expected[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        var c = [Double](repeating: .nan, count: m * n)
        Matrix.gemm(a, b, &c, m: m, k: k, n: n)
        XCTAssertEqual(c.map(\.bitPattern), expected.map(\.bitPattern))
        let aTransposed = (0..<k).flatMap { p in (0..<m).map { i in a[i * k + p] } }
        var c2 = [Double](repeating: .nan, count: m * n)
        Matrix.gemmTransposedA(aTransposed, b, &c2, m: m, k: k, n: n)
        XCTAssertEqual(c2.map(\.bitPattern), expected.map(\.bitPattern))
        let bTransposed = (0..<n).flatMap { j in (0..<k).map { p in b[p * n + j] } }
        var c3 = [Double](repeating: .nan, count: m * n)
        Matrix.gemmTransposedB(a, bTransposed, &c3, m: m, k: k, n: n)
        for (x, y) in zip(c3, expected) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        // Column-major gemv over 70 rows (two register blocks and a tail) adds columns in order.
        let rows = 70
        let columnMajor = (0..<(rows * k)).map { sin(Double($0) * 1.3) }, x = (0..<k).map { cos(Double($0)) }
        var y = [Double](repeating: .nan, count: rows)
        Matrix.gemvColumnMajor(columnMajor, leadingDimension: rows, rows: 0..<rows, columns: k, x, &y)
        let expectedY = (0..<rows).map { i in (0..<k).reduce(0.0) { $0 + x[$1] * columnMajor[$1 * rows + i] } }
        XCTAssertEqual(y.map(\.bitPattern), expectedY.map(\.bitPattern))
    }

    func testBlockedTransposedProductIsBitIdenticalOnOneAndTwoThreads() {
        let rows = 50_001, columns = 7
        let matrix = (0..<(rows * columns)).map { sin(Double($0)) * 1e3 + 1e-3 * Double($0 % 13) }
        let v = (0..<rows).map { cos(Double($0)) }
        func product(_ threads: ParallelFor.Threads) -> [Double] {
            matrix.withUnsafeBufferPointer { a in
                v.withUnsafeBufferPointer { vb in
                    let aPointer = SendablePointer(UnsafeMutablePointer(mutating: a.baseAddress!))
                    let vPointer = SendablePointer(UnsafeMutablePointer(mutating: vb.baseAddress!))
                    let partials = ParallelFor.map(count: rows, blockSize: 4096, threads: threads) { range in
                        var out = [Double](repeating: 0, count: columns)
                        Matrix.gemvTransposedColumnMajor(aPointer.base, leadingDimension: rows, rows: range,
                                                         columns: columns, vPointer.base, &out)
                        return out
                    }
                    return partials.reduce(into: [Double](repeating: 0, count: columns)) { total, part in
                        for j in 0..<columns { total[j] += part[j] }
                    }
                }
            }
        }
        let one = product(.one), two = product(ParallelFor.Threads(2))
        XCTAssertEqual(one.map(\.bitPattern), two.map(\.bitPattern))
    }

    func testNumericProfileNamesArchitectureAndKernelVersion() {
        XCTAssertTrue(NumericProfile.id.hasPrefix(NumericProfile.architecture + "-"))
        XCTAssertTrue(NumericProfile.id.hasSuffix("-k\(NumericProfile.kernelVersion)"))
        #if arch(x86_64)
        XCTAssertEqual(NumericProfile.simdFeatures, "avx2")
        #endif
    }
}
