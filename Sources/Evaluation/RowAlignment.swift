/// Matches two prediction sets' rows by id, refusing to drop anything silently.
public enum RowAlignment {
    /// For each baseline row, the index of the candidate row with the same id. Throws
    /// `unmatchedID` when an id is duplicated on either side or present on only one side.
    public static func match(baselineIDs: [String], candidateIDs: [String]) throws(EvaluationError) -> [Int] {
        var candidateRow = [String: Int](minimumCapacity: candidateIDs.count)
        for (row, id) in candidateIDs.enumerated() {
            guard candidateRow.updateValue(row, forKey: id) == nil else { throw .unmatchedID(id: id, side: "candidate") }
        }
        var seen = Set<String>(minimumCapacity: baselineIDs.count)
        var matched = [Int]()
        matched.reserveCapacity(baselineIDs.count)
        for id in baselineIDs {
            guard seen.insert(id).inserted else { throw .unmatchedID(id: id, side: "baseline") }
            guard let row = candidateRow[id] else { throw .unmatchedID(id: id, side: "candidate") }
            matched.append(row)
        }
        if let extra = candidateIDs.first(where: { !seen.contains($0) }) { throw .unmatchedID(id: extra, side: "baseline") }
        return matched
    }
}
