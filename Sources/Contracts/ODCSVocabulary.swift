/// The keys and enumerations of the Open Data Contract Standard v3.0.0–v3.1.0, as its JSON
/// Schemas define them (the union of those versions, so that a valid contract of any of them
/// is accepted and a misspelt key of any block is refused). GitML's own extension blocks are
/// listed apart (`gitMLExtensions`).
enum ODCSVocabulary {
    /// `apiVersion` values GitML reads.
    static let apiVersions = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.1.0"]

    static let fundamentals: Set<String> = [
        "version", "kind", "apiVersion", "id", "name", "tenant", "tags", "status", "servers", "dataProduct",
        "description", "domain", "schema", "support", "price", "team", "roles", "slaDefaultElement", "slaProperties",
        "authoritativeDefinitions", "customProperties", "contractCreatedTs",
    ]
    /// GitML's extension blocks at the top level of a contract.
    static let gitMLExtensions: Set<String> = ["label", "freshness", "drift", "leakage", "forbiddenColumns"]

    static let description: Set<String> = ["usage", "purpose", "limitations", "authoritativeDefinitions", "customProperties"]

    /// Keys every schema element (object or property) may carry.
    static let element: Set<String> = ["name", "physicalType", "description", "businessName", "authoritativeDefinitions",
                                       "tags", "customProperties"]
    static let schemaObject = element.union(["logicalType", "physicalName", "dataGranularityDescription", "properties",
                                             "relationships", "quality"])
    /// Keys of a property, before the type-dependent `properties` (object) and `items` (array).
    static let property = element.union([
        "primaryKey", "primaryKeyPosition", "logicalType", "logicalTypeOptions", "physicalType", "physicalName", "required",
        "unique", "partitioned", "partitionKeyPosition", "classification", "encryptedName", "transformSourceObjects",
        "transformLogic", "transformDescription", "examples", "criticalDataElement", "relationships", "quality",
    ])
    static let logicalTypes = ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"]

    /// `logicalTypeOptions` keys by logical type.
    static let logicalTypeOptions: [String: Set<String>] = [
        "string": ["minLength", "maxLength", "pattern", "format"],
        "date": ["format", "exclusiveMaximum", "maximum", "exclusiveMinimum", "minimum"],
        "timestamp": ["format", "exclusiveMaximum", "maximum", "exclusiveMinimum", "minimum", "timezone", "defaultTimezone"],
        "time": ["format", "exclusiveMaximum", "maximum", "exclusiveMinimum", "minimum", "timezone", "defaultTimezone"],
        "integer": ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "format"],
        "number": ["multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "format"],
        "object": ["maxProperties", "minProperties", "required"],
        "array": ["maxItems", "minItems", "uniqueItems"],
        "boolean": [],
    ]
    static let integerFormats = ["i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128"]
    static let numberFormats = ["f32", "f64"]

    static let qualityTypes = ["text", "library", "sql", "custom"]
    static let qualityDimensions = ["accuracy", "completeness", "conformity", "consistency", "coverage", "timeliness", "uniqueness"]
    /// Keys of every quality rule, whatever its type.
    static let qualityCommon: Set<String> = [
        "authoritativeDefinitions", "businessImpact", "customProperties", "description", "dimension", "method", "name",
        "schedule", "scheduler", "severity", "tags", "type", "unit",
    ]
    static let operators = ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan",
                            "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"]
    /// `metric` values of library rules (v3.1).
    static let libraryMetrics = ["nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"]
    /// `arguments` keys of each library metric.
    static let metricArguments: [String: Set<String>] = [
        "nullValues": [], "missingValues": ["missingValues"], "invalidValues": ["validValues", "pattern"],
        "duplicateValues": ["properties"], "rowCount": [],
    ]
    /// Keys a quality rule of each type adds to `qualityCommon`.
    static let qualityTypeKeys: [String: Set<String>] = [
        "text": [],
        "library": Set(["metric", "rule", "arguments"] + operators),
        "sql": Set(["query"] + operators),
        "custom": ["engine", "implementation"],
    ]

    /// Server keys: the common ones and those of every server type (the types' own keys are
    /// the union over types, so a typo is caught while any type's keys are accepted).
    static let server: Set<String> = [
        "server", "type", "description", "environment", "roles", "customProperties",
        "location", "stagingDir", "schema", "catalog", "regionName", "format", "delimiter", "project", "dataset", "host",
        "port", "database", "account", "endpointUrl", "path", "region", "serviceName", "warehouse",
    ]
    static let role: Set<String> = ["role", "description", "access", "firstLevelApprovers", "secondLevelApprovers", "customProperties"]
    static let support: Set<String> = ["channel", "url", "description", "tool", "scope", "invitationUrl", "customProperties"]
    static let price: Set<String> = ["priceAmount", "priceCurrency", "priceUnit"]
    /// `team` as an object (v3.1); v3.0 writes a list of members.
    static let team: Set<String> = ["name", "description", "members", "tags", "customProperties", "authoritativeDefinitions"]
    static let teamMember: Set<String> = ["username", "name", "description", "role", "dateIn", "dateOut", "replacedByUsername",
                                          "tags", "customProperties", "authoritativeDefinitions"]
    static let slaProperty: Set<String> = ["property", "value", "valueExt", "unit", "element", "driver", "description",
                                           "scheduler", "schedule"]
    static let customProperty: Set<String> = ["property", "value", "description"]
    static let authoritativeDefinition: Set<String> = ["url", "type", "description"]
    static let relationship: Set<String> = ["type", "from", "to", "customProperties"]
}
