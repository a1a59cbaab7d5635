/// The unscrambled Sobol' low-discrepancy sequence in up to `maximumDimensions` dimensions,
/// with Joe & Kuo's direction numbers (new-joe-kuo-6.21201, the table scipy.stats.qmc.Sobol
/// uses) and 30-bit points, so `point(n)` equals scipy's `Sobol(d, scramble=False)` row n
/// exactly. Points are computed by index (the Gray-code form), so a sweep's trial n gets the
/// same point whatever order its trials run in.
public struct SobolSequence: Sendable {
    /// Dimensions with direction numbers here; a search space with more parameters uses
    /// random search instead (`SweepSpec` refuses Sobol beyond this).
    public static let maximumDimensions = 21
    static let bits = 30

    /// For dimensions 2…21: the primitive polynomial (as an integer whose bits are its
    /// coefficients, leading and constant terms included) and the initial direction numbers m_1…m_s.
    static let directionTable: [(polynomial: UInt32, initial: [UInt32])] = [
        (3, [1]), (7, [1, 3]), (11, [1, 3, 1]), (13, [1, 1, 1]), (19, [1, 1, 3, 3]), (25, [1, 3, 5, 13]),
        (37, [1, 1, 5, 5, 17]), (41, [1, 1, 5, 5, 5]), (47, [1, 1, 7, 11, 19]), (55, [1, 1, 5, 1, 1]),
        (59, [1, 1, 1, 3, 11]), (61, [1, 3, 5, 5, 31]), (67, [1, 3, 3, 9, 7, 49]), (91, [1, 1, 1, 15, 21, 21]),
        (97, [1, 3, 1, 13, 27, 49]), (103, [1, 1, 1, 15, 7, 5]), (109, [1, 3, 1, 15, 13, 25]),
        (115, [1, 1, 5, 5, 19, 61]), (131, [1, 3, 7, 11, 23, 15, 103]), (137, [1, 3, 7, 13, 13, 15, 69]),
    ]

    public let dimensions: Int
    /// `directions[d][k]`: the direction number V_{k+1} of dimension d, as a 30-bit integer.
    let directions: [[UInt32]]

    /// A sequence in `dimensions` dimensions (1…`maximumDimensions`).
    public init(dimensions: Int) {
        precondition((1...Self.maximumDimensions).contains(dimensions), "Sobol dimensions must be 1...\(Self.maximumDimensions)")
        self.dimensions = dimensions
        var directions: [[UInt32]] = [(1...Self.bits).map { UInt32(1) << UInt32(Self.bits - $0) }]
        for entry in Self.directionTable.prefix(dimensions - 1) {
            directions.append(Self.directionNumbers(polynomial: entry.polynomial, initial: entry.initial))
        }
        self.directions = directions
    }

    /// m_k for k > s from the recurrence m_k = m_{k-s} ⊕ 2^s m_{k-s} ⊕ ⊕_{i=1}^{s-1} 2^i a_i m_{k-i},
    /// then V_k = m_k · 2^(bits − k).
    static func directionNumbers(polynomial: UInt32, initial: [UInt32]) -> [UInt32] {
        let degree = initial.count
        var m = initial
        for k in degree..<bits {
            var value = m[k - degree] ^ (m[k - degree] << UInt32(degree))
            for i in 1..<degree where (polynomial >> UInt32(degree - i)) & 1 == 1 {
                value ^= m[k - i] << UInt32(i)
            }
            m.append(value)
        }
        return m.enumerated().map { k, value in value << UInt32(bits - k - 1) }
    }

    /// Point `index` (0-based; point 0 is the origin) in [0, 1)^dimensions.
    public func point(_ index: Int) -> [Double] {
        precondition(index >= 0 && index < 1 << Self.bits, "Sobol index out of range")
        let gray = UInt32(index ^ (index >> 1))
        return directions.map { numbers in
            var x: UInt32 = 0
            var bits = gray
            var k = 0
            while bits != 0 {
                if bits & 1 == 1 { x ^= numbers[k] }
                bits >>= 1
                k += 1
            }
            return Double(x) * 0x1p-30
        }
    }
}
