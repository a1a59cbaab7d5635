import Foundation
import Tables
import Yams

extension Contract {
    /// Loads a contract from YAML text. `file` names the source in errors.
    public static func load(yaml: String, file: String) throws(ContractError) -> Contract {
        try ContractParser(file: file).contract(try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "schema"))
    }

    /// Loads the contract file at `path`.
    public static func load(contentsOf path: String) throws(ContractError) -> Contract {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "cannot read the file as UTF-8 text")
        }
        return try load(yaml: text, file: path)
    }
}

/// Reads the ODCS v3 envelope and GitML extension blocks.
private struct ContractParser {
    let file: String

    func contract(_ root: YAMLCursor) throws(ContractError) -> Contract {
        if let apiVersion = try root.optional("apiVersion"), !(try apiVersion.string().hasPrefix("v3")) {
            throw apiVersion.fail("GitML reads ODCS v3 contracts (apiVersion v3.x)")
        }
        if let kind = try root.optional("kind"), try kind.string() != "DataContract" {
            throw kind.fail("expected kind: DataContract")
        }
        let schemas = try root.required("schema").items()
        guard schemas.count == 1 else {
            throw try root.required("schema").fail("a GitML contract describes one table: exactly one schema object")
        }
        let schema = schemas[0]
        var columns: [ColumnSpec] = []
        for property in try schema.required("properties").items() {
            let spec = try column(property)
            if columns.contains(where: { $0.name == spec.name }) { throw property.fail("column '\(spec.name)' is declared twice") }
            columns.append(spec)
        }
        var tableRules: [QualityRule] = []
        for item in try schema.optional("quality")?.items() ?? [] { tableRules.append(try rule(item, table: true)) }
        return Contract(
            id: try root.optional("id")?.string(),
            name: try root.optional("name")?.string(),
            version: try root.optional("version")?.string(),
            columns: columns,
            tableRules: tableRules,
            forbiddenColumns: try root.optional("forbiddenColumns")?.strings() ?? [],
            label: try root.optional("label").map { cursor throws(ContractError) in try label(cursor) },
            freshness: try root.optional("freshness").map { cursor throws(ContractError) in try freshness(cursor) },
            drift: try root.optional("drift").map { cursor throws(ContractError) in try drift(cursor) } ?? .defaults,
            leakage: try root.optional("leakage").map { cursor throws(ContractError) in try leakage(cursor) })
    }

    private func column(_ property: YAMLCursor) throws(ContractError) -> ColumnSpec {
        var spec = ColumnSpec(name: try property.required("name").string(),
                              logicalType: try property.optional("logicalType")?.word(LogicalType.self),
                              physicalType: try property.optional("physicalType")?.string(),
                              required: try property.optional("required")?.bool() ?? false,
                              unique: try property.optional("unique")?.bool() ?? false,
                              primaryKey: try property.optional("primaryKey")?.bool() ?? false,
                              minimum: nil, maximum: nil, rules: [], line: property.line)
        if let options = try property.optional("logicalTypeOptions") {
            spec.minimum = try options.optional("minimum").map { cursor throws(ContractError) in try bound(cursor) }
            spec.maximum = try options.optional("maximum").map { cursor throws(ContractError) in try bound(cursor) }
            if let low = spec.minimum, let high = spec.maximum, low > high {
                throw options.fail("minimum exceeds maximum")
            }
        }
        for item in try property.optional("quality")?.items() ?? [] { spec.rules.append(try rule(item, table: false)) }
        return spec
    }

    /// A bound: a number, or an ISO 8601 date/time (as microseconds since the epoch).
    private func bound(_ cursor: YAMLCursor) throws(ContractError) -> Double {
        let text = try cursor.string()
        if let number = Double(text) { return number }
        if let micros = Timestamp.parse(text) { return Double(micros) }
        throw cursor.fail("expected a number or an ISO 8601 date/time")
    }

    private static let thresholdKeys = ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan",
                                        "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"]

    private func rule(_ item: YAMLCursor, table: Bool) throws(ContractError) -> QualityRule {
        let metricCursor = try item.required("metric")
        let metric = try metricCursor.word(QualityRule.Metric.self)
        if table && (metric == .nullValues || metric == .invalidValues) {
            throw metricCursor.fail("\(metric.rawValue) belongs to a property's quality list")
        }
        if !table && metric == .rowCount { throw metricCursor.fail("rowCount belongs to the schema object's quality list") }
        let present = try item.entries().filter { Self.thresholdKeys.contains($0.key) }
        guard present.count == 1, let (key, value) = present.first else {
            throw item.fail("a quality rule needs exactly one of \(Self.thresholdKeys.joined(separator: ", "))")
        }
        let threshold: Threshold
        switch key {
        case "mustBe": threshold = .mustBe(try value.double())
        case "mustNotBe": threshold = .mustNotBe(try value.double())
        case "mustBeGreaterThan": threshold = .mustBeGreaterThan(try value.double())
        case "mustBeGreaterOrEqualTo": threshold = .mustBeGreaterOrEqualTo(try value.double())
        case "mustBeLessThan": threshold = .mustBeLessThan(try value.double())
        case "mustBeLessOrEqualTo": threshold = .mustBeLessOrEqualTo(try value.double())
        case "mustBeBetween": let (a, b) = try value.pair(); threshold = .mustBeBetween(a, b)
        default: let (a, b) = try value.pair(); threshold = .mustNotBeBetween(a, b)
        }
        let arguments = try item.optional("arguments")
        let validValues = try arguments?.optional("validValues")?.strings()
        let properties = try arguments?.optional("properties")?.strings()
        if metric == .invalidValues && validValues == nil {
            throw item.fail("invalidValues needs arguments.validValues")
        }
        if table && metric == .duplicateValues && (properties ?? []).isEmpty {
            throw item.fail("a table-level duplicateValues rule needs arguments.properties (the compound key)")
        }
        return QualityRule(metric: metric, unit: try item.optional("unit")?.word(QualityRule.Unit.self) ?? .rows,
                           threshold: threshold, validValues: validValues, properties: properties, line: item.line)
    }

    private func label(_ cursor: YAMLCursor) throws(ContractError) -> LabelSpec {
        try cursor.requireKeys(in: ["column", "allowedValues", "positiveValue", "positiveRate"])
        let rate = try cursor.optional("positiveRate")?.pair()
        if let rate, rate.0 < 0 || rate.1 > 1 { throw try cursor.required("positiveRate").fail("rates lie in [0, 1]") }
        return LabelSpec(column: try cursor.required("column").string(),
                         allowedValues: try cursor.optional("allowedValues")?.strings() ?? [],
                         positiveValue: try cursor.optional("positiveValue")?.string(),
                         positiveRate: rate.map { $0.0...$0.1 })
    }

    private func freshness(_ cursor: YAMLCursor) throws(ContractError) -> FreshnessSpec {
        try cursor.requireKeys(in: ["column", "maxAgeHours"])
        let hours = try cursor.required("maxAgeHours")
        guard try hours.double() > 0 else { throw hours.fail("maxAgeHours must be positive") }
        return FreshnessSpec(column: try cursor.required("column").string(), maxAgeHours: try hours.double())
    }

    private func drift(_ cursor: YAMLCursor) throws(ContractError) -> DriftPolicy {
        try cursor.requireKeys(in: ["reference", "columns", "thresholds", "newCategories", "schemaChanges", "rowCountChange"])
        var policy = DriftPolicy.defaults
        policy.reference = try cursor.optional("reference")?.string() ?? policy.reference
        policy.columns = try cursor.optional("columns")?.strings() ?? []
        if let thresholds = try cursor.optional("thresholds") {
            try thresholds.requireKeys(in: ["psi", "ks", "js", "linf", "nullShare"])
            policy.maxPSI = try thresholds.optional("psi")?.double()
            policy.maxKS = try thresholds.optional("ks")?.double()
            policy.maxJS = try thresholds.optional("js")?.double()
            policy.maxLInfinity = try thresholds.optional("linf")?.double()
            if let share = try thresholds.optional("nullShare") {
                policy.maxNullShareChange = try share.double()
                guard (0...1).contains(policy.maxNullShareChange) else { throw share.fail("a change of null share lies in [0, 1]") }
            }
        }
        policy.newCategories = try cursor.optional("newCategories")?.word(Severity.self) ?? policy.newCategories
        policy.schemaChanges = try cursor.optional("schemaChanges")?.word(Severity.self) ?? policy.schemaChanges
        if let change = try cursor.optional("rowCountChange") {
            try change.requireKeys(in: ["maxRelative"])
            policy.maxRowCountChange = try change.required("maxRelative").double()
        }
        return policy
    }

    private func leakage(_ cursor: YAMLCursor) throws(ContractError) -> LeakagePolicy {
        try cursor.requireKeys(in: ["entityKey", "timeColumn", "label", "maxRowOverlap", "maxKeyOverlap", "featureAucCeiling"])
        let ceiling = try cursor.optional("featureAucCeiling")?.double() ?? 0.95
        guard (0.5...1).contains(ceiling) else { throw try cursor.required("featureAucCeiling").fail("an AUC ceiling lies in [0.5, 1]") }
        return LeakagePolicy(entityKey: try cursor.optional("entityKey")?.strings() ?? [],
                             timeColumn: try cursor.optional("timeColumn")?.string(),
                             label: try cursor.optional("label")?.string(),
                             maxRowOverlap: try cursor.optional("maxRowOverlap")?.int() ?? 0,
                             maxKeyOverlap: try cursor.optional("maxKeyOverlap")?.int() ?? 0,
                             featureAUCCeiling: ceiling)
    }
}
