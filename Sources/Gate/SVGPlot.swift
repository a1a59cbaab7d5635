import Foundation

/// A small SVG chart: two numeric axes with ticks, polylines, points with horizontal
/// intervals, and reference lines. Pure text output, for self-contained HTML reports.
struct SVGPlot {
    let id: String
    let title: String
    let xLabel: String
    let yLabel: String
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>
    /// Labels drawn at y positions instead of numeric y ticks (categorical rows).
    var yCategories: [(position: Double, label: String)] = []
    /// Labels drawn at x positions instead of numeric x ticks (categorical columns).
    var xCategories: [(position: Double, label: String)] = []
    private var elements: [String] = []
    private var legend: [(cssClass: String, label: String)] = []

    static let width = 420.0, height = 320.0
    private static let left = 110.0, right = 26.0, top = 28.0, bottom = 46.0

    init(id: String, title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange.lowerBound < xRange.upperBound ? xRange : (xRange.lowerBound - 1)...(xRange.upperBound + 1)
        self.yRange = yRange.lowerBound < yRange.upperBound ? yRange : (yRange.lowerBound - 1)...(yRange.upperBound + 1)
    }

    private func px(_ x: Double) -> Double {
        Self.left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (Self.width - Self.left - Self.right)
    }

    private func py(_ y: Double) -> Double {
        Self.height - Self.bottom - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (Self.height - Self.top - Self.bottom)
    }

    /// A polyline through `points` (non-finite points are skipped), named in the legend.
    mutating func line(_ points: [CurvePoint], cssClass: String, label: String) {
        let coordinates = points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(Self.format(px($0.x))),\(Self.format(py($0.y)))" }
        elements.append("<polyline class=\"\(cssClass)\" fill=\"none\" points=\"\(coordinates.joined(separator: " "))\"><title>\(HTML.escape(label))</title></polyline>")
        legend.append((cssClass, label))
    }

    /// Markers at `points`.
    mutating func markers(_ points: [CurvePoint], cssClass: String) {
        for point in points where point.x.isFinite && point.y.isFinite {
            elements.append("<circle class=\"\(cssClass)\" cx=\"\(Self.format(px(point.x)))\" cy=\"\(Self.format(py(point.y)))\" r=\"3\"/>")
        }
    }

    /// A filled rectangle between corners `low` and `high` (data coordinates) at `opacity`
    /// (a cell of a density plot), described by `label`.
    mutating func cell(low: CurvePoint, high: CurvePoint, opacity: Double, cssClass: String, label: String) {
        let x = min(px(low.x), px(high.x)), y = min(py(low.y), py(high.y))
        elements.append("<rect class=\"\(cssClass)\" x=\"\(Self.format(x))\" y=\"\(Self.format(y))\" width=\"\(Self.format(abs(px(high.x) - px(low.x))))\" height=\"\(Self.format(abs(py(high.y) - py(low.y))))\" fill-opacity=\"\(Self.format(opacity))\" stroke=\"none\"><title>\(HTML.escape(label))</title></rect>")
    }

    /// `text` centred at `point` (a cell's value).
    mutating func text(_ text: String, at point: CurvePoint) {
        elements.append("<text class=\"value\" x=\"\(Self.format(px(point.x)))\" y=\"\(Self.format(py(point.y) + 4))\" text-anchor=\"middle\">\(HTML.escape(text))</text>")
    }

    /// A dashed reference line from `from` to `to`.
    mutating func reference(from: CurvePoint, to: CurvePoint, label: String) {
        elements.append("<line class=\"reference\" x1=\"\(Self.format(px(from.x)))\" y1=\"\(Self.format(py(from.y)))\" x2=\"\(Self.format(px(to.x)))\" y2=\"\(Self.format(py(to.y)))\"><title>\(HTML.escape(label))</title></line>")
    }

    /// A point estimate at (`estimate`, `y`) with a horizontal interval [`low`, `high`].
    mutating func interval(y: Double, estimate: Double, low: Double, high: Double, cssClass: String, label: String) {
        let yPixel = Self.format(py(y))
        elements.append("<g class=\"\(cssClass)\"><title>\(HTML.escape(label))</title><line x1=\"\(Self.format(px(low)))\" y1=\"\(yPixel)\" x2=\"\(Self.format(px(high)))\" y2=\"\(yPixel)\"/><circle cx=\"\(Self.format(px(estimate)))\" cy=\"\(yPixel)\" r=\"4\"/></g>")
    }

    /// The `<svg>` element.
    func render() -> String {
        var svg = "<svg id=\"\(id)\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<text class=\"title\" x=\"\(Self.format(Self.width / 2))\" y=\"18\" text-anchor=\"middle\">\(HTML.escape(title))</text>"
        let x0 = Self.left, x1 = Self.width - Self.right, y0 = Self.height - Self.bottom, y1 = Self.top
        svg += "<rect class=\"frame\" x=\"\(x0)\" y=\"\(y1)\" width=\"\(x1 - x0)\" height=\"\(y0 - y1)\" fill=\"none\"/>"
        let xTicks = xCategories.isEmpty ? Self.ticks(xRange).map { ($0, Self.label($0)) } : xCategories.map { ($0.position, HTML.escape($0.label)) }
        for (tick, text) in xTicks {
            svg += "<text class=\"tick\" x=\"\(Self.format(px(tick)))\" y=\"\(Self.format(y0 + 14))\" text-anchor=\"middle\">\(text)</text>"
        }
        if yCategories.isEmpty {
            for tick in Self.ticks(yRange) {
                svg += "<text class=\"tick\" x=\"\(Self.format(x0 - 4))\" y=\"\(Self.format(py(tick) + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>"
            }
        } else {
            for category in yCategories {
                svg += "<text class=\"tick\" x=\"\(Self.format(x0 - 4))\" y=\"\(Self.format(py(category.position) + 4))\" text-anchor=\"end\">\(HTML.escape(category.label))</text>"
            }
        }
        svg += "<text class=\"axis-label\" x=\"\(Self.format((x0 + x1) / 2))\" y=\"\(Self.format(Self.height - 8))\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg += "<text class=\"axis-label\" x=\"14\" y=\"\(Self.format((y0 + y1) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(Self.format((y0 + y1) / 2)))\">\(HTML.escape(yLabel))</text>"
        svg += elements.joined()
        for (index, entry) in legend.enumerated() {
            let y = Self.top + 14 + Double(index) * 16
            svg += "<line class=\"\(entry.cssClass)\" x1=\"\(Self.format(x1 - 120))\" y1=\"\(Self.format(y - 4))\" x2=\"\(Self.format(x1 - 100))\" y2=\"\(Self.format(y - 4))\"/>"
            svg += "<text class=\"legend\" x=\"\(Self.format(x1 - 96))\" y=\"\(Self.format(y))\">\(HTML.escape(entry.label))</text>"
        }
        return svg + "</svg>"
    }

    /// Five evenly spaced ticks across the range.
    private static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        (0...4).map { range.lowerBound + Double($0) / 4 * (range.upperBound - range.lowerBound) }
    }

    private static func label(_ value: Double) -> String { String(format: "%.3g", value) }
    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// HTML text escaping.
enum HTML {
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
