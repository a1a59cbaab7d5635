import Foundation
import Tables
import Yams

extension Contract {
    /// Loads a contract from YAML text. `file` names the source in errors; `dataset` is the name
    /// of the dataset the contract is for, which chooses its table in a multi-table contract
    /// (see `ContractParser.table`). Every key must be one the ODCS v3.0–v3.1 JSON Schema or a
    /// GitML extension defines; a contract that breaks the standard is refused before any
    /// data is read.
    public static func load(yaml: String, file: String, dataset: String? = nil) throws(ContractError) -> Contract {
        let root = try YAMLCursor.document(yaml: yaml, file: file, requiredKey: "schema")
        return try ContractParser(file: file, dataset: dataset).contract(root)
    }

    /// Loads the contract file at `path` for `dataset` (see `load(yaml:file:dataset:)`).
    public static func load(contentsOf path: String, dataset: String? = nil) throws(ContractError) -> Contract {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadableFile(path: path, reason: "cannot read the file as UTF-8 text")
        }
        return try load(yaml: text, file: path, dataset: dataset)
    }

    /// The custom property (top-level `customProperties`) that names the dataset's table in a
    /// multi-table contract.
    public static let tableProperty = "gitmlTable"
}

/// Reads an ODCS v3.0–v3.1 document and GitML's extension blocks. Every mapping is read
/// strictly; what GitML enforces becomes the `Contract`'s fields, every other clause an
/// `UncheckedClause`.
private final class ContractParser {
    let file: String
    let dataset: String?
    private var unchecked: [UncheckedClause] = []

    init(file: String, dataset: String?) {
        self.file = file
        self.dataset = dataset
    }

    private func note(_ cursor: YAMLCursor, _ what: String) {
        unchecked.append(UncheckedClause(path: cursor.path, line: cursor.line, what: what))
    }

    func contract(_ root: YAMLCursor) throws(ContractError) -> Contract {
        try root.requireKeys(in: ODCSVocabulary.fundamentals.union(ODCSVocabulary.gitMLExtensions))
        try fundamentals(root)
        let schemas = try root.optional("schema")?.items() ?? []
        let chosen = try table(schemas, customProperties: try root.optional("customProperties"))
        var columns: [ColumnSpec] = []
        var tableRules: [QualityRule] = []
        for (index, schema) in schemas.enumerated() {
            let mark = unchecked.count
            let (objectColumns, objectRules) = try schemaObject(schema)
            if index == chosen {
                (columns, tableRules) = (objectColumns, objectRules)
            } else {
                unchecked.removeSubrange(mark...)
                note(schema, "table \(try schema.required("name").string()): not the dataset's table")
            }
        }
        try servicesAndParties(root)
        return Contract(
            table: try chosen.map { index throws(ContractError) in try schemas[index].required("name").string() },
            id: try root.optional("id")?.string(),
            name: try root.optional("name")?.string(),
            version: try root.optional("version")?.string(),
            columns: columns,
            tableRules: tableRules,
            forbiddenColumns: try root.optional("forbiddenColumns")?.strings() ?? [],
            label: try root.optional("label").map { cursor throws(ContractError) in try label(cursor) },
            freshness: try root.optional("freshness").map { cursor throws(ContractError) in try freshness(cursor) },
            drift: try root.optional("drift").map { cursor throws(ContractError) in try drift(cursor) } ?? .defaults,
            leakage: try root.optional("leakage").map { cursor throws(ContractError) in try leakage(cursor) },
            unchecked: unchecked)
    }

    // MARK: Fundamentals

    /// `apiVersion`, `kind`, the scalar metadata, `tags`, `description`, `authoritativeDefinitions`
    /// and `customProperties`: validated, never checked against data (they describe, not promise).
    private func fundamentals(_ root: YAMLCursor) throws(ContractError) {
        if let apiVersion = try root.optional("apiVersion") {
            let text = try apiVersion.string()
            guard ODCSVocabulary.apiVersions.contains(text) else {
                throw apiVersion.fail("'\(text)' is not an ODCS version GitML reads: one of \(ODCSVocabulary.apiVersions.joined(separator: ", "))")
            }
        }
        if let kind = try root.optional("kind"), try kind.string() != "DataContract" {
            throw kind.fail("the kind of an ODCS contract is DataContract")
        }
        for key in ["id", "name", "version", "status", "tenant", "dataProduct", "domain", "contractCreatedTs"] {
            _ = try root.optional(key)?.string()
        }
        _ = try root.optional("tags")?.strings()
        if let description = try root.optional("description") {
            try description.requireKeys(in: ODCSVocabulary.description)
            for key in ["usage", "purpose", "limitations"] { _ = try description.optional(key)?.string() }
            try metadata(description)
        }
        try metadata(root)
    }

    /// The `authoritativeDefinitions` and `customProperties` lists of `cursor`, if any.
    private func metadata(_ cursor: YAMLCursor) throws(ContractError) {
        for item in try cursor.optional("authoritativeDefinitions")?.items() ?? [] {
            try item.requireKeys(in: ODCSVocabulary.authoritativeDefinition)
            _ = try item.required("url").string()
            _ = try item.required("type").string()
        }
        for item in try cursor.optional("customProperties")?.items() ?? [] {
            try item.requireKeys(in: ODCSVocabulary.customProperty)
            _ = try item.required("property").string()
            guard try item.entries().contains(where: { $0.key == "value" }) else { throw .missingKey(file: file, line: item.line, key: "\(item.path).value") }
        }
    }

    /// Servers, support channels, price, team, roles and SLAs: validated and listed as unchecked.
    private func servicesAndParties(_ root: YAMLCursor) throws(ContractError) {
        for server in try root.optional("servers")?.items() ?? [] {
            try server.requireKeys(in: ODCSVocabulary.server)
            let name = try server.required("server").string(), type = try server.required("type").string()
            for role in try server.optional("roles")?.items() ?? [] { try self.role(role) }
            try metadata(server)
            note(server, "server \(name) (\(type))")
        }
        for channel in try root.optional("support")?.items() ?? [] {
            try channel.requireKeys(in: ODCSVocabulary.support)
            note(channel, "support channel \(try channel.required("channel").string())")
            try metadata(channel)
        }
        if let price = try root.optional("price") {
            try price.requireKeys(in: ODCSVocabulary.price)
            _ = try price.optional("priceAmount")?.double()
            note(price, "price")
        }
        if let team = try root.optional("team") {
            let members: [YAMLCursor]
            if team.isMapping {
                try team.requireKeys(in: ODCSVocabulary.team)
                try metadata(team)
                members = try team.optional("members")?.items() ?? []
            } else {
                members = try team.items()
            }
            for member in members {
                try member.requireKeys(in: ODCSVocabulary.teamMember)
                _ = try member.required("username").string()
                try metadata(member)
            }
            note(team, "team (\(members.count) members)")
        }
        for role in try root.optional("roles")?.items() ?? [] {
            try self.role(role)
            note(role, "role \(try role.required("role").string())")
        }
        if let element = try root.optional("slaDefaultElement") { note(element, "SLA default element") }
        for sla in try root.optional("slaProperties")?.items() ?? [] {
            try sla.requireKeys(in: ODCSVocabulary.slaProperty)
            guard try sla.entries().contains(where: { $0.key == "value" }) else { throw .missingKey(file: file, line: sla.line, key: "\(sla.path).value") }
            note(sla, "SLA \(try sla.required("property").string())")
        }
    }

    private func role(_ role: YAMLCursor) throws(ContractError) {
        try role.requireKeys(in: ODCSVocabulary.role)
        _ = try role.required("role").string()
        try metadata(role)
    }

    // MARK: Schema

    /// The index of the dataset's table among the schema objects: the one named by the
    /// `gitmlTable` custom property, else the only one, else the one named like the dataset.
    private func table(_ schemas: [YAMLCursor], customProperties: YAMLCursor?) throws(ContractError) -> Int? {
        var names: [String] = []
        for schema in schemas {
            let name = try schema.required("name").string()
            if names.contains(name) { throw try schema.required("name").fail("table '\(name)' is declared twice") }
            names.append(name)
        }
        let declared = names.map { "'\($0)'" }.joined(separator: ", ")
        for property in try customProperties?.items() ?? [] where try property.required("property").string() == Contract.tableProperty {
            let value = try property.required("value")
            let name = try value.string()
            guard let index = names.firstIndex(of: name) else {
                throw value.fail("\(Contract.tableProperty) names table '\(name)', but the contract declares \(names.isEmpty ? "no table" : declared)")
            }
            return index
        }
        if schemas.count <= 1 { return schemas.isEmpty ? nil : 0 }
        guard let dataset else {
            throw schemas[0].fail("the contract declares tables \(declared): name the dataset's table with customProperties: [{ property: \(Contract.tableProperty), value: <table> }]")
        }
        guard let index = names.firstIndex(of: dataset) else {
            throw schemas[0].fail("the contract declares tables \(declared) and none is named '\(dataset)' (the dataset): rename one or name it with customProperties: [{ property: \(Contract.tableProperty), value: <table> }]")
        }
        return index
    }

    private func schemaObject(_ schema: YAMLCursor) throws(ContractError) -> ([ColumnSpec], [QualityRule]) {
        try schema.requireKeys(in: ODCSVocabulary.schemaObject)
        try element(schema)
        if let logicalType = try schema.optional("logicalType"), try logicalType.string() != "object" {
            throw logicalType.fail("the logical type of a schema object is object")
        }
        var columns: [ColumnSpec] = []
        for property in try schema.optional("properties")?.items() ?? [] {
            guard let spec = try self.property(property, column: true) else { continue }
            if columns.contains(where: { $0.name == spec.name }) { throw property.fail("column '\(spec.name)' is declared twice") }
            columns.append(spec)
        }
        try relationships(schema, schemaLevel: true)
        var rules: [QualityRule] = []
        for item in try schema.optional("quality")?.items() ?? [] {
            if let rule = try rule(item, table: true) { rules.append(rule) }
        }
        return (columns, rules)
    }

    /// The keys every schema element shares: name, descriptions, tags and metadata.
    private func element(_ cursor: YAMLCursor) throws(ContractError) {
        for key in ["name", "physicalType", "physicalName", "description", "businessName"] { _ = try cursor.optional(key)?.string() }
        _ = try cursor.optional("tags")?.strings()
        try metadata(cursor)
    }

    private func relationships(_ cursor: YAMLCursor, schemaLevel: Bool) throws(ContractError) {
        for relationship in try cursor.optional("relationships")?.items() ?? [] {
            try relationship.requireKeys(in: ODCSVocabulary.relationship)
            if let type = try relationship.optional("type"), try type.string() != "foreignKey" {
                throw type.fail("the relationship type is foreignKey")
            }
            _ = try relationship.required("to")
            let from = try relationship.optional("from")
            if schemaLevel, from == nil { throw .missingKey(file: file, line: relationship.line, key: "\(relationship.path).from") }
            if !schemaLevel, let from { throw from.fail("a property's relationship starts at the property: remove from") }
            try metadata(relationship)
            note(relationship, "relationship (foreign key)")
        }
    }

    /// A property: a column of the table when `column`, else a nested field or array item
    /// (validated, listed as unchecked by its parent, never a ColumnSpec).
    private func property(_ property: YAMLCursor, column: Bool) throws(ContractError) -> ColumnSpec? {
        let logicalCursor = try property.optional("logicalType")
        let logical = try logicalCursor?.string()
        if let logicalCursor, let logical, !ODCSVocabulary.logicalTypes.contains(logical) {
            throw logicalCursor.fail("'\(logical)' is not one of \(ODCSVocabulary.logicalTypes.joined(separator: ", "))")
        }
        var keys = ODCSVocabulary.property
        if logical == nil || logical == "object" { keys.insert("properties") }
        if logical == nil || logical == "array" { keys.insert("items") }
        try property.requireKeys(in: keys)
        try element(property)
        let name = column ? try property.required("name").string() : try property.optional("name")?.string() ?? ""
        for key in ["required", "unique", "primaryKey", "partitioned", "criticalDataElement"] { _ = try property.optional(key)?.bool() }
        for key in ["primaryKeyPosition", "partitionKeyPosition"] { _ = try property.optional(key)?.int() }
        _ = try property.optional("examples")?.items()
        _ = try property.optional("transformSourceObjects")?.strings()
        for key in ["classification", "encryptedName", "transformLogic", "transformDescription"] { _ = try property.optional(key)?.string() }
        let checkedType = logical.flatMap(LogicalType.init(rawValue:))
        if column, let logicalCursor, let logical, checkedType == nil {
            note(logicalCursor, "logicalType \(logical): values are not type-checked")
        }
        var spec = ColumnSpec(name: name, logicalType: checkedType,
                              physicalType: try property.optional("physicalType")?.string(),
                              required: try property.optional("required")?.bool() ?? false,
                              unique: try property.optional("unique")?.bool() ?? false,
                              primaryKey: try property.optional("primaryKey")?.bool() ?? false,
                              minimum: nil, maximum: nil, rules: [], line: property.line)
        if let options = try property.optional("logicalTypeOptions") {
            (spec.minimum, spec.maximum) = try logicalTypeOptions(options, logicalType: logical)
        }
        for nested in try property.optional("properties")?.items() ?? [] { _ = try self.property(nested, column: false) }
        if let nested = try property.optional("properties") { note(nested, "fields of an object column") }
        if let items = try property.optional("items") {
            _ = try self.property(items, column: false)
            note(items, "items of an array column")
        }
        try relationships(property, schemaLevel: false)
        for item in try property.optional("quality")?.items() ?? [] {
            if let rule = try rule(item, table: false) { spec.rules.append(rule) }
        }
        return column ? spec : nil
    }

    /// The options of `logicalType` (any type's when it is absent); returns the inclusive
    /// bounds GitML checks (number, integer, date and timestamp columns) and lists the others.
    private func logicalTypeOptions(_ options: YAMLCursor, logicalType: String?) throws(ContractError) -> (Double?, Double?) {
        let allowed = logicalType.map { ODCSVocabulary.logicalTypeOptions[$0] ?? [] }
            ?? ODCSVocabulary.logicalTypeOptions.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        try options.requireKeys(in: allowed)
        if let format = try options.optional("format"), let type = logicalType {
            let text = try format.string()
            let formats = type == "integer" ? ODCSVocabulary.integerFormats : type == "number" ? ODCSVocabulary.numberFormats : []
            if !formats.isEmpty, !formats.contains(text) { throw format.fail("'\(text)' is not one of \(formats.joined(separator: ", "))") }
        }
        if let required = try options.optional("required") { _ = try required.distinctStrings() }
        let bounded = logicalType != "time"
        var minimum: Double?, maximum: Double?
        for (key, value) in try options.entries() {
            switch key {
            case "minimum" where bounded: minimum = try bound(value)
            case "maximum" where bounded: maximum = try bound(value)
            default: note(value, "\(key) option")
            }
        }
        if let low = minimum, let high = maximum, low > high { throw options.fail("minimum exceeds maximum") }
        return (minimum, maximum)
    }

    /// A bound: a number, or an ISO 8601 date/time (as microseconds since the epoch).
    private func bound(_ cursor: YAMLCursor) throws(ContractError) -> Double {
        let text = try cursor.string()
        if let number = Double(text) { return number }
        if let micros = Timestamp.parse(text) { return Double(micros) }
        throw cursor.fail("expected a number or an ISO 8601 date/time")
    }

    // MARK: Quality

    /// A quality rule, validated for its type. Returns the rule when GitML enforces it (a
    /// library rule with metric nullValues, invalidValues, duplicateValues or rowCount, counted
    /// in rows or percent); every other rule is listed as unchecked and returns nil.
    private func rule(_ item: YAMLCursor, table: Bool) throws(ContractError) -> QualityRule? {
        let typeCursor = try item.optional("type")
        let declared = try typeCursor?.string()
        if let typeCursor, let declared, !ODCSVocabulary.qualityTypes.contains(declared) {
            throw typeCursor.fail("'\(declared)' is not one of \(ODCSVocabulary.qualityTypes.joined(separator: ", "))")
        }
        let metricCursor = try item.optional("metric"), ruleCursor = try item.optional("rule")
        let named = metricCursor != nil || ruleCursor != nil
        let type = declared ?? (named ? "library" : nil)
        try item.requireKeys(in: ODCSVocabulary.qualityCommon.union(type.flatMap { ODCSVocabulary.qualityTypeKeys[$0] } ?? []))
        if let dimension = try item.optional("dimension"), !ODCSVocabulary.qualityDimensions.contains(try dimension.string()) {
            throw dimension.fail("'\(try dimension.string())' is not one of \(ODCSVocabulary.qualityDimensions.joined(separator: ", "))")
        }
        for key in ["description", "businessImpact", "method", "name", "schedule", "scheduler", "severity", "unit"] {
            _ = try item.optional(key)?.string()
        }
        _ = try item.optional("tags")?.strings()
        try metadata(item)
        let operators = try item.entries().filter { ODCSVocabulary.operators.contains($0.key) }
        if operators.count > 1 { throw item.fail("a quality rule takes one of \(ODCSVocabulary.operators.joined(separator: ", ")), not several") }
        switch type {
        case nil:
            note(item, "quality rule without type or metric")
        case "text":
            guard try item.optional("description") != nil else { throw item.fail("a quality rule of type text needs description") }
            note(item, "type: text")
        case "sql":
            guard let query = try item.optional("query") else { throw item.fail("a quality rule of type sql needs query") }
            _ = try query.string()
            note(item, "type: sql")
        case "custom":
            guard let engine = try item.optional("engine"), try item.optional("implementation") != nil else {
                throw item.fail("a quality rule of type custom needs engine and implementation")
            }
            note(item, "type: custom, engine: \(try engine.string())")
        default:
            return try libraryRule(item, table: table, threshold: operators.first)
        }
        return nil
    }

    private func libraryRule(_ item: YAMLCursor, table: Bool, threshold operator: (key: String, value: YAMLCursor)?) throws(ContractError) -> QualityRule? {
        let metricCursor = try item.optional("metric")
        let ruleCursor = try item.optional("rule")
        guard let nameCursor = metricCursor ?? ruleCursor else {
            throw item.fail("a quality rule of type library needs metric (or the deprecated rule)")
        }
        let name = try nameCursor.string()
        if metricCursor != nil, !ODCSVocabulary.libraryMetrics.contains(name) {
            throw nameCursor.fail("'\(name)' is not one of \(ODCSVocabulary.libraryMetrics.joined(separator: ", "))")
        }
        guard let (key, value) = `operator` else {
            throw item.fail("a library quality rule needs one of \(ODCSVocabulary.operators.joined(separator: ", "))")
        }
        let arguments = try item.optional("arguments")
        if let allowed = ODCSVocabulary.metricArguments[name] { try arguments?.requireKeys(in: allowed) }
        guard let metric = QualityRule.Metric(rawValue: name) else {
            note(item, "\(metricCursor == nil ? "rule" : "metric"): \(name)")
            return nil
        }
        if table && (metric == .nullValues || metric == .invalidValues) {
            throw nameCursor.fail("\(metric.rawValue) belongs to a property's quality list")
        }
        if !table && metric == .rowCount { throw nameCursor.fail("rowCount belongs to the schema object's quality list") }
        let threshold = try self.threshold(key, value)
        let validValues = try arguments?.optional("validValues")?.distinctStrings()
        let properties = try arguments?.optional("properties")?.distinctStrings()
        if let pattern = try arguments?.optional("pattern") {
            _ = try pattern.string()
            note(pattern, "invalidValues by pattern")
            if validValues == nil { return nil }
        }
        if metric == .invalidValues && validValues == nil {
            throw item.fail("invalidValues needs arguments.validValues")
        }
        if table && metric == .duplicateValues && properties == nil {
            throw item.fail("a table-level duplicateValues rule needs arguments.properties (the compound key)")
        }
        let unitCursor = try item.optional("unit")
        let unit = try unitCursor.map { cursor throws(ContractError) in try cursor.string() } ?? QualityRule.Unit.rows.rawValue
        guard let countedIn = QualityRule.Unit(rawValue: unit) else {
            note(item, "metric: \(name) in unit '\(unit)' (GitML counts rows or percent)")
            return nil
        }
        return QualityRule(metric: metric, unit: countedIn, threshold: threshold, validValues: validValues, properties: properties,
                           line: item.line)
    }

    private func threshold(_ key: String, _ value: YAMLCursor) throws(ContractError) -> Threshold {
        switch key {
        case "mustBe": return .mustBe(try value.double())
        case "mustNotBe": return .mustNotBe(try value.double())
        case "mustBeGreaterThan": return .mustBeGreaterThan(try value.double())
        case "mustBeGreaterOrEqualTo": return .mustBeGreaterOrEqualTo(try value.double())
        case "mustBeLessThan": return .mustBeLessThan(try value.double())
        case "mustBeLessOrEqualTo": return .mustBeLessOrEqualTo(try value.double())
        case "mustBeBetween": let (a, b) = try value.pair(); return .mustBeBetween(a, b)
        default: let (a, b) = try value.pair(); return .mustNotBeBetween(a, b)
        }
    }

    // MARK: GitML extensions

    private func label(_ cursor: YAMLCursor) throws(ContractError) -> LabelSpec {
        try cursor.requireKeys(in: ["column", "allowedValues", "positiveValue", "positiveRate"])
        let rate = try cursor.optional("positiveRate")?.pair()
        if let rate, rate.0 < 0 || rate.1 > 1 { throw try cursor.required("positiveRate").fail("rates lie in [0, 1]") }
        return LabelSpec(column: try cursor.required("column").string(),
                         allowedValues: try cursor.optional("allowedValues")?.distinctStrings() ?? [],
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
        return LeakagePolicy(entityKey: try cursor.optional("entityKey")?.distinctStrings() ?? [],
                             timeColumn: try cursor.optional("timeColumn")?.string(),
                             label: try cursor.optional("label")?.string(),
                             maxRowOverlap: try cursor.optional("maxRowOverlap")?.int() ?? 0,
                             maxKeyOverlap: try cursor.optional("maxKeyOverlap")?.int() ?? 0,
                             featureAUCCeiling: ceiling)
    }
}
